"""The LlamaIndex adapters, composed with LlamaIndex's own parts (tools, a router, a retriever
query engine, the retrieval evaluator), over the real bundled Chroma index and the OpenAI stub."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.base_selector import BaseSelector, SelectorResult, SingleSelection
from llama_index.core.base.response.schema import AsyncStreamingResponse, Response, StreamingResponse
from llama_index.core.evaluation import RetrieverEvaluator
from llama_index.core.llms import MockLLM
from llama_index.core.prompts.mixin import PromptDictType
from llama_index.core.query_engine import CustomQueryEngine, RetrieverQueryEngine, RouterQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText
from llama_index.core.schema import MetadataMode, NodeWithScore, QueryBundle
from llama_index.core.tools import QueryEngineTool, ToolMetadata

from rag.assistant import Assistant
from rag.prompts import QuestionError
from rag.store import IndexStore
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply
from tests.fixtures.settings import ROOT, make_settings

TRUDEAU = "How much money did Trudeau announce for military equipment?"
TRUDEAU_SOURCE = "004_ca42ec8f4e875d75.txt"
AMBASSADOR = "Who is Russia's ambassador to Canada?"
AMBASSADOR_SOURCE = "001_79aa4f23a039ae56.txt"
AMBASSADOR_SOURCES = {AMBASSADOR_SOURCE, "003_7c54699dea69932d.txt"}  # both name him


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as server:
        yield server


@pytest.fixture
def bot(tmp_path: Path, bundled_index: Path, stub: OpenAIStub, e5: Any, use: Any) -> Assistant:
    settings = make_settings(tmp_path, index_dir=bundled_index, llm="openai", openai_base_url=stub.base_url,
                             openai_api_key="sk-test", llm_model="stub-model")
    assistant = Assistant(settings, embedder=e5)
    assistant._aux_embedder = use
    return assistant


def chunk_ids_containing(bot: Assistant, source: str, needle: str) -> list[str]:
    """Ids of the indexed chunks of `source` whose text contains `needle`, read from the store."""
    got = IndexStore.open(bot.settings).collection.get(where={"doc_id": source}, include=["documents"])
    ids = [i for i, text in zip(got["ids"], got["documents"], strict=True) if needle in (text or "")]
    assert ids, f"no chunk of {source} contains {needle!r}"
    return ids


# -- retriever -----------------------------------------------------------------------------------------

def test_retriever_returns_fused_widened_passages_with_metadata(bot: Assistant) -> None:
    nodes = bot.as_retriever().retrieve(TRUDEAU)
    assert 0 < len(nodes) <= bot.settings.retrieve_k and all(isinstance(n, NodeWithScore) for n in nodes)
    best = nodes[0]
    meta = best.node.metadata
    assert meta["source"] == TRUDEAU_SOURCE and meta["doc_id"] == TRUDEAU_SOURCE
    assert meta["title"] and meta["outlet"] and meta["published"] and meta["language"] == "en"
    assert isinstance(meta["chunk"], int) and "$500 million" in best.node.get_content()
    assert best.node.node_id in chunk_ids_containing(bot, TRUDEAU_SOURCE, "")  # the chunk's own id in the index
    widened = best.node.get_content()
    raw = bot.retrieve(TRUDEAU)[0].text
    assert raw in widened and len(widened) > len(raw)  # the best passage comes with its neighbours
    llm_view = best.node.get_content(metadata_mode=MetadataMode.LLM)
    assert meta["title"] in llm_view and "content_hash" not in llm_view  # bookkeeping stays out of prompts
    assert len(bot.as_retriever(similarity_top_k=2).retrieve(TRUDEAU)) <= 2


def test_retriever_evaluator_scores_hit_rate_and_mrr(bot: Assistant) -> None:
    evaluator = RetrieverEvaluator.from_metric_names(["hit_rate", "mrr"], retriever=bot.as_retriever())
    cases = {TRUDEAU: chunk_ids_containing(bot, TRUDEAU_SOURCE, "$500 million"),
             AMBASSADOR: chunk_ids_containing(bot, AMBASSADOR_SOURCE, "Oleg Stepanov")}
    for question, expected in cases.items():
        result = evaluator.evaluate(query=question, expected_ids=expected)
        assert result.metric_vals_dict["hit_rate"] == 1.0, (question, result.retrieved_ids, expected)
        assert result.metric_vals_dict["mrr"] >= 0.5, (question, result.retrieved_ids, expected)


def test_retriever_inside_llamaindex_own_query_engine(bot: Assistant) -> None:
    """LlamaIndex's RetrieverQueryEngine over our retriever; NoText needs no LLM of its own (given a
    MockLLM: the factory's no_text branch drops the `llm` it is passed and resolves the default)."""
    engine = RetrieverQueryEngine(bot.as_retriever(), response_synthesizer=NoText(llm=MockLLM()))
    response = engine.query(TRUDEAU)
    assert response.source_nodes[0].node.metadata["source"] == TRUDEAU_SOURCE


# -- query engine --------------------------------------------------------------------------------------

def test_query_engine_answers_with_cited_source_nodes(bot: Assistant) -> None:
    response = bot.as_query_engine().query(TRUDEAU)
    assert isinstance(response, Response)
    assert "500 million" in str(response) and "[1]" in str(response)
    assert [n.node.metadata["source"] for n in response.source_nodes] == [TRUDEAU_SOURCE]
    assert response.source_nodes[0].node.metadata["citation"] == 1
    meta = response.metadata or {}
    assert meta["abstained"] is False and meta["citations"][0]["n"] == 1
    assert meta["citations"][0]["source"] == TRUDEAU_SOURCE and "500 million" in meta["citations"][0]["text"]
    assert {"retrieve", "total"} <= set(meta["timings_ms"])


def test_query_engine_abstains_without_sources(bot: Assistant) -> None:
    response = bot.as_query_engine().query("What is the boiling point of tungsten?")
    assert (response.metadata or {})["abstained"] is True and response.source_nodes == []
    assert str(response).startswith("I don't know")


def test_query_engine_refuses_bad_questions(bot: Assistant) -> None:
    with pytest.raises(QuestionError, match="empty"):
        bot.as_query_engine().query("   ")
    with pytest.raises(QuestionError, match="too long"):
        bot.as_query_engine(streaming=True).query("why " * 2000)


def test_streaming_query_sets_sources_once_done(bot: Assistant) -> None:
    response = bot.as_query_engine(streaming=True).query(TRUDEAU)
    assert isinstance(response, StreamingResponse) and response.source_nodes == []
    tokens = list(response.response_gen)
    assert tokens and "500 million" in "".join(tokens)  # released sentence by sentence, once checked
    assert [n.node.metadata["source"] for n in response.source_nodes] == [TRUDEAU_SOURCE]
    assert (response.metadata or {})["abstained"] is False


def test_async_query_and_retrieve(bot: Assistant) -> None:
    async def run() -> tuple[Any, Any, list[str], list[NodeWithScore]]:
        plain = await bot.as_query_engine().aquery(TRUDEAU)
        streamed = await bot.as_query_engine(streaming=True).aquery(TRUDEAU)
        assert isinstance(streamed, AsyncStreamingResponse)
        tokens = [t async for t in streamed.response_gen]
        nodes = await bot.as_retriever().aretrieve(AMBASSADOR)
        return plain, streamed, tokens, nodes

    plain, streamed, tokens, nodes = asyncio.run(run())
    assert "500 million" in str(plain) and "".join(tokens).strip() == str(plain)
    assert streamed.source_nodes[0].node.metadata["source"] == TRUDEAU_SOURCE
    assert nodes[0].node.metadata["source"] in AMBASSADOR_SOURCES


# -- composition ---------------------------------------------------------------------------------------

def test_query_engine_tool_call(bot: Assistant) -> None:
    tool = QueryEngineTool.from_defaults(query_engine=bot.as_query_engine(), name="news_articles",
                                         description="Answers questions about the indexed news articles, with sources")
    output = tool.call(input=TRUDEAU)
    assert "500 million" in output.content and output.tool_name == "news_articles"
    assert isinstance(output.raw_output, Response)
    assert output.raw_output.source_nodes[0].node.metadata["source"] == TRUDEAU_SOURCE
    assert tool.metadata.to_openai_tool()["function"]["name"] == "news_articles"


class KeywordSelector(BaseSelector):
    """Routes by a keyword, so the router needs no LLM of its own."""

    def _get_prompts(self) -> PromptDictType:
        return {}

    def _update_prompts(self, prompts: PromptDictType) -> None:
        pass

    def _select(self, choices: Any, query: QueryBundle) -> SelectorResult:
        index = 1 if "weather" in query.query_str.lower() else 0
        return SelectorResult(selections=[SingleSelection(index=index, reason="keyword")])

    async def _aselect(self, choices: Any, query: QueryBundle) -> SelectorResult:
        return self._select(choices, query)


class WeatherEngine(CustomQueryEngine):
    def custom_query(self, query_str: str) -> str:
        return "Sunny."


def test_router_query_engine_routes_to_the_news_engine(bot: Assistant) -> None:
    news = QueryEngineTool(bot.as_query_engine(), ToolMetadata(name="news", description="News articles"))
    weather = QueryEngineTool(WeatherEngine(), ToolMetadata(name="weather", description="The weather"))
    router = RouterQueryEngine(selector=KeywordSelector(), query_engine_tools=[news, weather], llm=MockLLM())
    response = router.query(TRUDEAU)
    assert "500 million" in str(response) and response.source_nodes[0].node.metadata["source"] == TRUDEAU_SOURCE
    assert str(router.query("What's the weather?")) == "Sunny."


# -- chat engine ---------------------------------------------------------------------------------------

def test_chat_engine_keeps_history_and_rewrites_follow_ups(bot: Assistant, stub: OpenAIStub) -> None:
    engine = bot.as_chat_engine()
    first = engine.chat(AMBASSADOR)
    assert "Stepanov" in str(first) and first.source_nodes[0].node.metadata["source"] in AMBASSADOR_SOURCES
    engine.chat("What did he say?")
    assert [m.role.value for m in engine.chat_history] == ["user", "assistant", "user", "assistant"]
    rewrites = [r for r in stub.behaviour.requests if "Rewritten question" in r["messages"][-1]["content"]]
    assert rewrites and "ambassador" in rewrites[-1]["messages"][-1]["content"]
    engine.reset()
    assert engine.chat_history == []


def test_stream_chat_joins_history_when_read(bot: Assistant) -> None:
    engine = bot.as_chat_engine()
    response = engine.stream_chat(TRUDEAU)
    assert engine.chat_history == []
    text = "".join(response.response_gen)
    assert "500 million" in text and str(response) == text.strip()
    assert response.source_nodes[0].node.metadata["source"] == TRUDEAU_SOURCE
    assert [m.content for m in engine.chat_history] == [TRUDEAU, text.strip()]


def test_async_chat(bot: Assistant) -> None:
    engine = bot.as_chat_engine()

    async def run() -> str:
        await engine.achat(AMBASSADOR)
        streamed = await engine.astream_chat("What did he say?")
        return "".join([t async for t in streamed.async_response_gen()])

    assert asyncio.run(run())
    assert len(engine.chat_history) == 4


# -- the README's snippet --------------------------------------------------------------------------------

def readme_block(containing: str) -> str:
    """The README's ```python block that contains `containing`."""
    blocks = (ROOT / "README.md").read_text(encoding="utf-8").split("```python\n")[1:]
    return next(b.split("```", 1)[0] for b in blocks if containing in b)


def test_readme_llamaindex_snippet_runs(tmp_path: Path, bundled_index: Path, stub: OpenAIStub,
                                        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Run the snippet as written, with only the environment pointing it at the test index and the stub."""
    for name, value in {"RAG_INDEX_DIR": str(bundled_index), "RAG_LLM": "openai", "OPENAI_BASE_URL": stub.base_url,
                        "OPENAI_API_KEY": "sk-test", "RAG_LLM_MODEL": "stub-model"}.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {}
    exec(compile(readme_block("as_query_engine"), "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "500 million" in printed and f"{TRUDEAU_SOURCE} False" in printed
    assert namespace["nodes"] and len(namespace["chat"].chat_history) == 4
    assert namespace["tool"].call(input=TRUDEAU).raw_output.source_nodes
