"""`rag mcp` spoken to by the MCP SDK's own client: over stdio (the real `python -m rag mcp` in a
subprocess) and over streamable HTTP (the app under uvicorn on 127.0.0.1), with the OpenAI stub
as the LLM and a real Chroma index."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_types import CallToolResult, TextContent

from rag.assistant import Assistant
from rag.mcp_server import build_server, host_refusal, http_app
from rag.settings import Settings
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply
from tests.fixtures.served import uvicorn_thread
from tests.fixtures.settings import BUNDLED, ROOT, make_settings

TRUDEAU = "How much money did Trudeau announce for military equipment?"
TRUDEAU_SOURCE = "004_ca42ec8f4e875d75.txt"
TOKEN = "mcp-s3cret"
READ_TOOLS = {"ask", "search", "list_articles"}
T = TypeVar("T")


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as server:
        yield server


def run(session: Callable[[Client], Awaitable[T]], server: Any) -> T:
    """Connect the SDK's client to `server` and run `session` with it."""

    async def main() -> T:
        async with Client(server, read_timeout_seconds=120) as client:
            return await session(client)

    return asyncio.run(main())


def text(result: CallToolResult) -> str:
    return "".join(c.text for c in result.content if isinstance(c, TextContent))


def stdio(tmp_path: Path, index: Path, stub: OpenAIStub, **env: str) -> StdioServerParameters:
    """`python -m rag mcp` as an MCP client would launch it, configured only by its environment."""
    variables = {"PYTHONPATH": str(ROOT), "RAG_INDEX_DIR": str(index), "RAG_ARTICLES_DIR": str(BUNDLED),
                 "RAG_LLM": "openai", "OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": "sk-test",
                 "RAG_LLM_MODEL": "stub-model", "HOME": os.environ.get("HOME", str(tmp_path)), **env}
    return StdioServerParameters(command=sys.executable, args=["-m", "rag", "mcp"], env=variables, cwd=tmp_path)


# -- stdio ------------------------------------------------------------------------------------------

def test_stdio_answers_searches_and_refuses_bad_input(tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    async def session(client: Client) -> dict[str, Any]:
        tools = await client.list_tools()
        return {"tools": {t.name for t in tools.tools},
                "ask": await client.call_tool("ask", {"question": TRUDEAU}),
                "search": await client.call_tool("search", {"query": TRUDEAU, "k": 3}),
                "articles": await client.call_tool("list_articles", {}),
                "empty": await client.call_tool("ask", {"question": "   "}),
                "huge": await client.call_tool("ask", {"question": "why " * 50_000}),
                "bad_k": await client.call_tool("search", {"query": TRUDEAU, "k": 0}),
                "write": await client.call_tool("add_article", {"name": "x.txt", "text": "Title: X\n\nSome news."}),
                "again": await client.call_tool("ask", {"question": "Who is Russia's ambassador to Canada?"})}

    got = run(session, stdio(tmp_path, bundled_index, stub))
    assert got["tools"] == READ_TOOLS  # no token: the write tools are not even offered
    ask = got["ask"]
    assert not ask.is_error and ask.structured_content["abstained"] is False
    assert "500 million" in ask.structured_content["answer"] and "[1]" in ask.structured_content["answer"]
    cited = ask.structured_content["citations"][0]
    assert cited["n"] == 1 and cited["source"] == TRUDEAU_SOURCE and "500 million" in cited["text"]
    assert cited["title"] and cited["outlet"] and cited["published"]
    passages = got["search"].structured_content["passages"]
    assert 0 < len(passages) <= 3 and passages[0]["source"] == TRUDEAU_SOURCE
    assert len(got["articles"].structured_content["articles"]) == 5
    assert got["empty"].is_error and "the question is empty" in text(got["empty"])
    assert got["huge"].is_error and "too long" in text(got["huge"]) and "\n" not in text(got["huge"])
    assert got["bad_k"].is_error
    assert got["write"].is_error and "add_article" in text(got["write"])
    assert not got["again"].is_error and "Stepanov" in got["again"].structured_content["answer"]  # still serving


def test_stdio_without_an_index_says_so(tmp_path: Path, stub: OpenAIStub) -> None:
    async def session(client: Client) -> tuple[CallToolResult, CallToolResult]:
        return (await client.call_tool("ask", {"question": TRUDEAU}),
                await client.call_tool("list_articles", {}))

    ask, articles = run(session, stdio(tmp_path, tmp_path / "no-index", stub))
    for result in (ask, articles):
        assert result.is_error and "rag index" in text(result), text(result)
        assert "\n" not in text(result)


# -- streamable HTTP --------------------------------------------------------------------------------

@contextmanager
def serving_http(settings: Settings, bot: Assistant) -> Iterator[str]:
    """The MCP app under uvicorn in a thread, as `rag mcp --http` runs it; yields its URL."""
    with uvicorn_thread(http_app(settings, build_server(settings, bot))) as url:
        yield f"{url}/mcp"


def with_token(url: str, token: str) -> Any:
    return streamable_http_client(url, http_client=create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}))


@pytest.fixture
def writable(tmp_path: Path, bundled_index: Path, stub: OpenAIStub, e5: Any, use: Any) -> tuple[Settings, Assistant]:
    """A private copy of the index and the articles, and a token: the write tools are on."""
    index, articles = tmp_path / "index", tmp_path / "articles"
    shutil.copytree(bundled_index, index)
    shutil.copytree(BUNDLED, articles)
    settings = make_settings(tmp_path, index_dir=index, articles_dir=articles, llm="openai", api_token=TOKEN,
                             openai_base_url=stub.base_url, openai_api_key="sk-test", llm_model="stub-model")
    bot = Assistant(settings, embedder=e5)
    bot._aux_embedder = use
    return settings, bot


def test_http_requires_the_token_for_every_call(writable: tuple[Settings, Assistant]) -> None:
    settings, bot = writable
    with serving_http(settings, bot) as url:
        refused = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                             headers={"Accept": "application/json, text/event-stream"})
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        with pytest.raises(Exception):  # noqa: B017 - the SDK client cannot connect at all
            run(lambda client: client.list_tools(), with_token(url, "wrong"))
        tools = run(lambda client: client.list_tools(), with_token(url, TOKEN))
    assert {t.name for t in tools.tools} == READ_TOOLS | {"add_article", "remove_article"}
    hints = {t.name: t.annotations.read_only_hint for t in tools.tools if t.annotations}
    assert hints["ask"] is True and hints["remove_article"] is False


def test_http_adds_and_removes_an_article(writable: tuple[Settings, Assistant]) -> None:
    settings, bot = writable
    article = ("Harbour bridge opens in Port Elspeth\n\n"
               "The new harbour bridge in Port Elspeth opened on Wednesday after four years of construction. "
               "Mayor Ingrid Halvorsen said the harbour bridge cost 84 million euros.")
    question = "How much did the harbour bridge cost, according to Mayor Halvorsen?"

    async def session(client: Client) -> dict[str, CallToolResult]:
        return {"add": await client.call_tool("add_article", {"name": "bridge.txt", "text": article}),
                "ask": await client.call_tool("ask", {"question": question}),
                "bad": await client.call_tool("add_article", {"name": "notes.exe", "text": "hello"}),
                "huge": await client.call_tool("ask", {"question": "x" * 100_000}),
                "remove": await client.call_tool("remove_article", {"name": "bridge.txt"}),
                "again": await client.call_tool("remove_article", {"name": "bridge.txt"}),
                "list": await client.call_tool("list_articles", {})}

    with serving_http(settings, bot) as url:
        got = run(session, with_token(url, TOKEN))
    assert not got["add"].is_error and got["add"].structured_content["added"] == ["bridge.txt"]
    assert "84 million" in got["ask"].structured_content["answer"]
    cited = got["ask"].structured_content["citations"][0]
    assert cited["source"] == "bridge.txt" and cited["title"] == "Harbour bridge opens in Port Elspeth"
    assert got["bad"].is_error and ".txt" in text(got["bad"])
    assert got["huge"].is_error and "too long" in text(got["huge"])
    assert got["remove"].structured_content == {"removed": "bridge.txt"}
    assert got["again"].is_error and "no indexed article" in text(got["again"])
    assert "bridge.txt" not in {a["name"] for a in got["list"].structured_content["articles"]}
    assert not (Path(settings.articles_dir) / "bridge.txt").exists()


def test_http_on_loopback_without_token_serves_reads_only(tmp_path: Path, bundled_index: Path, stub: OpenAIStub,
                                                          e5: Any, use: Any) -> None:
    settings = make_settings(tmp_path, index_dir=bundled_index, llm="openai", openai_base_url=stub.base_url,
                             openai_api_key="sk-test", llm_model="stub-model")
    bot = Assistant(settings, embedder=e5)
    bot._aux_embedder = use

    async def session(client: Client) -> tuple[set[str], CallToolResult]:
        tools = await client.list_tools()
        return {t.name for t in tools.tools}, await client.call_tool("remove_article", {"name": TRUDEAU_SOURCE})

    with serving_http(settings, bot) as url:
        names, removal = run(session, url)
    assert names == READ_TOOLS and removal.is_error
    assert (BUNDLED / TRUDEAU_SOURCE).exists()


def test_a_reachable_host_needs_a_token(tmp_path: Path) -> None:
    assert host_refusal(make_settings(tmp_path), "127.0.0.1") is None
    assert "RAG_API_TOKEN" in (host_refusal(make_settings(tmp_path), "0.0.0.0") or "")
    assert host_refusal(make_settings(tmp_path, api_token=TOKEN), "0.0.0.0") is None


def test_cli_explains_itself_and_refuses_a_reachable_host_without_token() -> None:
    from typer.testing import CliRunner

    from rag.cli import app

    runner = CliRunner()
    assert "mcp" in runner.invoke(app, ["--help"]).output
    shown = runner.invoke(app, ["mcp", "--help"])
    assert shown.exit_code == 0 and "Model Context Protocol" in shown.output and "--http" in shown.output
    refused = runner.invoke(app, ["mcp", "--http", "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "RAG_API_TOKEN" in refused.output and "Traceback" not in refused.output


def test_the_readme_mcp_snippet_runs(tmp_path: Path, bundled_index: Path, stub: OpenAIStub, e5: Any,
                                     use: Any) -> None:
    """The README's block as written, pointed at this server instead of port 8765."""
    stub.behaviour.reply = extractive_reply
    settings = make_settings(tmp_path, index_dir=bundled_index, llm="openai", openai_base_url=stub.base_url,
                             openai_api_key="sk-test", llm_model="stub-model")
    bot = Assistant(settings, embedder=e5)
    bot._aux_embedder = use
    blocks = (ROOT / "README.md").read_text(encoding="utf-8").split("```python\n")[1:]
    code = next(b.split("```", 1)[0] for b in blocks if "from mcp import Client" in b)
    namespace: dict[str, Any] = {}
    with serving_http(settings, bot) as url:
        exec(compile(code.replace("http://127.0.0.1:8765/mcp", url), "README.md", "exec"), namespace)
    answer = namespace["answer"]
    assert answer["abstained"] is False and answer["citations"][0]["source"].endswith(".txt")
