"""Third-party clients on `rag serve`'s OpenAI-compatible endpoint: LangChain's `ChatOpenAI` and
LlamaIndex's `OpenAILike`, streaming and not, each reaching the answer and the references that
resolve its `[n]` (these clients drop the `sources` field), and a conversation with a follow-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai_like import OpenAILike

from rag.assistant import Assistant
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply
from tests.fixtures.served import TRUDEAU, TRUDEAU_SOURCE, Served, serving, stub_settings
from tests.fixtures.settings import ROOT


@pytest.fixture
def served(tmp_path: Any, bundled_index: Any, e5: Any, use: Any) -> Iterator[Served]:
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        bot = Assistant(stub_settings(tmp_path, bundled_index, stub), embedder=e5)
        bot._aux_embedder = use
        with serving(stub_settings(tmp_path, bundled_index, stub), bot, stub) as s:
            yield s


def assert_cited_with_references(content: str) -> None:
    answer, references = content.split("\n\nReferences:\n")
    assert "500 million" in answer and "[1]" in answer
    first = references.splitlines()[0]
    assert first.startswith("[1] ") and f"({TRUDEAU_SOURCE})" in first and "500 million" in first


def langchain(served: Served, model: str = "rag") -> ChatOpenAI:
    return ChatOpenAI(base_url=f"{served.url}/v1", api_key="anything", model=model, max_retries=0, timeout=60)


def llamaindex(served: Served, model: str = "rag") -> OpenAILike:
    return OpenAILike(api_base=f"{served.url}/v1", api_key="anything", model=model, is_chat_model=True,
                      max_retries=0, timeout=60)


def rewrites(served: Served) -> list[str]:
    return [r["messages"][-1]["content"] for r in served.stub.behaviour.requests
            if "Rewritten question" in r["messages"][-1]["content"]]


def test_the_models_list_offers_both_styles(served: Served) -> None:
    ids = [m["id"] for m in httpx.get(f"{served.url}/v1/models").json()["data"]]
    assert ids == ["rag", "rag-plain"]


def test_langchain_chat_openai_gets_the_answer_and_its_references(served: Served) -> None:
    assert_cited_with_references(str(langchain(served).invoke(TRUDEAU).content))
    streamed = "".join(str(chunk.content) for chunk in langchain(served).stream(TRUDEAU))
    assert_cited_with_references(streamed)
    plain = str(langchain(served, "rag-plain").invoke(TRUDEAU).content)
    assert "500 million" in plain and "References:" not in plain


def test_llamaindex_openai_like_gets_the_answer_and_its_references(served: Served) -> None:
    llm = llamaindex(served)
    assert_cited_with_references(str(llm.complete(TRUDEAU)))
    streamed = "".join(r.delta or "" for r in llm.stream_chat([ChatMessage(role="user", content=TRUDEAU)]))
    assert_cited_with_references(streamed)


def test_a_conversation_through_langchain_resolves_the_follow_up(served: Served) -> None:
    chat = langchain(served)
    first = chat.invoke([HumanMessage("Who is Russia's ambassador to Canada?")])
    assert "References:" in str(first.content)
    chat.invoke([HumanMessage("Who is Russia's ambassador to Canada?"), AIMessage(str(first.content)),
                 HumanMessage("What did he say?")])
    (conversation,) = rewrites(served)
    assert "ambassador" in conversation and "References:" not in conversation  # the block is not history


def test_a_conversation_through_llamaindex_resolves_the_follow_up(served: Served) -> None:
    llm = llamaindex(served)
    first = llm.chat([ChatMessage(role="user", content="Who is Russia's ambassador to Canada?")])
    llm.chat([ChatMessage(role="user", content="Who is Russia's ambassador to Canada?"), first.message,
              ChatMessage(role="user", content="What did he say?")])
    (conversation,) = rewrites(served)
    assert "ambassador" in conversation and "References:" not in conversation


def readme_block(containing: str) -> str:
    """The README's ```python block that contains `containing`."""
    blocks = (ROOT / "README.md").read_text(encoding="utf-8").split("```python\n")[1:]
    return next(b.split("```", 1)[0] for b in blocks if containing in b)


@pytest.mark.parametrize("containing", ["from openai import OpenAI", "from langchain_openai import ChatOpenAI"])
def test_the_readme_client_snippets_run(served: Served, containing: str) -> None:
    """Each README block as written, pointed at this server instead of port 8000."""
    code = readme_block(containing).replace("http://127.0.0.1:8000", served.url)
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    if "reply" in namespace:
        assert namespace["reply"].model_extra["sources"][0]["source"].endswith(".txt")
