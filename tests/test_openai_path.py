"""The OpenAI-protocol path against a real HTTP server on 127.0.0.1, including its failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.assistant import Assistant
from rag.bench.chroma_server import free_port
from rag.llm import ChatModel, LLMError
from tests.fixtures.assistants import cite_source_with, openai_assistant
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour
from tests.fixtures.settings import make_settings


def model(base_url: str, timeout: float = 5.0) -> ChatModel:
    return ChatModel(base_url, "sk-test", "stub-model", timeout=timeout, max_retries=0)


def test_complete_and_stream(stub: OpenAIStub) -> None:
    stub.behaviour.reply = "Hello from the stub [1]."
    m = model(stub.base_url)
    assert m.complete([{"role": "user", "content": "hi"}]) == "Hello from the stub [1]."
    pieces = list(m.stream([{"role": "user", "content": "hi"}]))
    assert len(pieces) > 1 and "".join(pieces) == "Hello from the stub [1]."
    sent = stub.behaviour.requests[-1]
    assert sent["model"] == "stub-model" and sent["stream"] is True and sent["_auth"] == "Bearer sk-test"


@pytest.mark.parametrize(
    "status,needle",
    [(401, "rejected the API key (401)"), (429, "rate limiting us (429)"), (500, "HTTP 500"),
     (404, "does not know this model")],
)
def test_http_failures_are_explained(stub: OpenAIStub, status: int, needle: str) -> None:
    stub.behaviour.status = status
    with pytest.raises(LLMError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        list(model(stub.base_url).stream([{"role": "user", "content": "hi"}]))
    with pytest.raises(LLMError):
        model(stub.base_url).complete([{"role": "user", "content": "hi"}])


def test_connection_refused_is_explained() -> None:
    with pytest.raises(LLMError, match="cannot reach the LLM"):
        model(f"http://127.0.0.1:{free_port()}/v1").complete([{"role": "user", "content": "hi"}])


def test_timeout_is_explained() -> None:
    with OpenAIStub(StubBehaviour(delay=2.0)) as slow, pytest.raises(LLMError, match=r"did not answer within 0\.5 s"):
        model(slow.base_url, timeout=0.5).complete([{"role": "user", "content": "hi"}])


def test_garbage_response_is_an_llm_error() -> None:
    with OpenAIStub(StubBehaviour(garbage=True)) as bad, pytest.raises(LLMError):
        model(bad.base_url).complete([{"role": "user", "content": "hi"}])


def test_assistant_answers_with_cited_sources(tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    stub.behaviour.reply = cite_source_with("$500 million", "Trudeau announced $500 million [{n}].")
    bot = openai_assistant(tmp_path, bundled_index, stub)
    stream = bot.stream("How much money did Trudeau announce for military equipment?")
    tokens = list(stream)
    answer = stream.answer
    assert answer is not None
    assert "".join(tokens).strip() == answer.text == "Trudeau announced $500 million [1]."
    assert [c.passage.source for c in answer.citations] == ["004_ca42ec8f4e875d75.txt"]
    assert answer.citations[0].n == 1 and "500 million" in answer.citations[0].passage.text
    assert not answer.abstained
    assert len(answer.retrieved) == bot.settings.retrieve_k
    assert {"retrieve", "first_token", "total"} <= set(answer.timings_ms)
    prompt = stub.behaviour.requests[-1]["messages"]
    assert prompt[0]["role"] == "system" and "[1]" in prompt[-1]["content"]


def _sources(request: dict[str, Any]) -> list[str]:
    """The source lines of an answer request (between "Sources:" and the question)."""
    user = request["messages"][-1]["content"]
    return user.split("Sources:\n", 1)[1].split("\n\nQuestion:", 1)[0].splitlines()


def test_every_passage_names_its_report_and_each_title_comes_once(tmp_path: Path, bundled_index: Path,
                                                                 stub: OpenAIStub) -> None:
    """The default prompt: each source line is `[n] outlet, date...: text`, and an article's title
    is given with its first passage only (the rest of the label stays beside every passage)."""
    stub.behaviour.reply = cite_source_with("$500 million", "Trudeau announced $500 million [{n}].")
    bot = openai_assistant(tmp_path, bundled_index, stub)
    answer = bot.ask("How much money did Trudeau announce for military equipment?")
    lines = _sources(stub.behaviour.requests[-1])
    assert [line[: line.index("]") + 1] for line in lines] == [f"[{i}]" for i in range(1, len(lines) + 1)]
    given = answer.given or []
    assert len(given) == len(lines) and len({p.doc_id for p in given}) < len(given)  # an article twice
    for n, (line, passage) in enumerate(zip(lines, given, strict=True), start=1):
        first = next(p for p in given if p.doc_id == passage.doc_id) is passage
        assert line.startswith(f"[{n}] {passage.outlet}, {passage.published}")
        assert (f'"{passage.title}"' in line) == first
    assert [c.passage.source for c in answer.citations] == ["004_ca42ec8f4e875d75.txt"]


def test_grouped_sources_put_each_article_under_one_label(tmp_path: Path, bundled_index: Path,
                                                          stub: OpenAIStub) -> None:
    """`RAG_GROUP_SOURCES=true`: one label line per article, its passages numbered under it, and a
    citation of the renumbered passage still names the article that holds the fact."""
    stub.behaviour.reply = cite_source_with("$500 million", "Trudeau announced $500 million [{n}].")
    bot = openai_assistant(tmp_path, bundled_index, stub, group_sources=True)
    answer = bot.ask("How much money did Trudeau announce for military equipment?")
    lines = _sources(stub.behaviour.requests[-1])
    labels = [line for line in lines if not line.startswith("[")]
    given = answer.given or []
    assert len(labels) == len({p.doc_id for p in given}) == len(lines) - len(given) >= 2
    assert [p.doc_id for p in given] == sorted((p.doc_id for p in given), key=[p.doc_id for p in given].index)
    assert answer.citations and [c.passage.source for c in answer.citations] == ["004_ca42ec8f4e875d75.txt"]
    assert "500 million" in answer.citations[0].passage.text


def test_assistant_abstains(tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    stub.behaviour.reply = "I don't know."
    answer = openai_assistant(tmp_path, bundled_index, stub).ask("What is the capital of Australia?")
    assert answer.abstained and answer.citations == [] and answer.text.startswith("I don't know")
    assert answer.retrieved  # closest passages are still offered for reading


def test_follow_up_is_rewritten_before_retrieval(tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    stub.behaviour.reply = cite_source_with("useless", "He said sanctions are useless [{n}].")
    history = [{"role": "user", "content": "Who is Russia's ambassador to Canada?"},
               {"role": "assistant", "content": "Oleg Stepanov [1]."}]
    answer = openai_assistant(tmp_path, bundled_index, stub).ask("What did he say about the sanctions?", history)
    assert answer.standalone_question == "What did Oleg Stepanov say about the sanctions?"
    assert "rewrite" in answer.timings_ms
    assert [c.passage.source for c in answer.citations] == ["001_79aa4f23a039ae56.txt"]


def test_empty_stream_becomes_abstention_not_a_crash(tmp_path: Path, bundled_index: Path) -> None:
    with OpenAIStub(StubBehaviour(empty_stream=True)) as empty:
        answer = openai_assistant(tmp_path, bundled_index, empty).ask("Who is Kuleba?")
    assert answer.abstained


def test_llm_down_raises_llm_error(tmp_path: Path, bundled_index: Path) -> None:
    settings = make_settings(tmp_path, index_dir=bundled_index, llm="openai", openai_api_key="k",
                             openai_base_url=f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(LLMError, match="cannot reach"):
        Assistant(settings).ask("Who is Kuleba?")


def test_openai_without_key_or_url_is_a_clear_error(tmp_path: Path, bundled_index: Path) -> None:
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        Assistant(make_settings(tmp_path, index_dir=bundled_index, llm="openai")).ask("Who?")


def test_openai_compatible_embeddings_endpoint(tmp_path: Path, articles: Path, stub: OpenAIStub) -> None:
    from rag.indexing import index_paths
    from rag.store import IndexMismatchError, IndexStore

    settings = make_settings(tmp_path, articles_dir=articles, embedding="openai:stub-embed",
                             openai_base_url=stub.base_url, openai_api_key="k")
    report = index_paths(settings)
    assert len(report.added) == 5
    assert IndexStore.open(settings).metadata["embedding_model"] == "openai:stub-embed"
    assert any(r["_path"].endswith("/embeddings") for r in stub.behaviour.requests)
    with pytest.raises(IndexMismatchError):  # the e5 default must not query a stub-embedded index
        Assistant(make_settings(tmp_path, articles_dir=articles)).retrieve("anything")
