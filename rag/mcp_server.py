"""`rag mcp`: the engine as a Model Context Protocol server, for AI assistants and IDEs that speak MCP.

Tools: `ask` (a checked, cited answer or an abstention), `search` (passages only, for a client
that brings its own model), `list_articles`, and, only when `RAG_API_TOKEN` is set,
`add_article` and `remove_article`. Over stdio the process belongs to whoever launched it, so
the token's presence is the switch; over streamable HTTP every request must also carry
`Authorization: Bearer $RAG_API_TOKEN` when one is set, and a non-loopback address is refused
without one (the rule `rag serve` follows for its writes).

Errors a user can act on (an empty or oversized question, no index yet, the LLM unreachable)
come back as MCP tool errors with the engine's one-line message; the server keeps running.
Nothing here prints: over stdio, stdout is the protocol (the SDK points fd 1 at stderr while it
serves), and logs go to stderr through `logging`.
"""

from __future__ import annotations

import hmac
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.assistant import Assistant
from rag.documents import MAX_FILE_BYTES
from rag.errors import RagError
from rag.library import Upload, add_articles, list_articles, remove_article
from rag.logs import new_request_id
from rag.schema import Answer, Passage
from rag.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_TURNS = 40  # the same bounds as the HTTP API's history (rag.api.AskRequest)
MAX_TURN_CHARS = 20_000
MAX_SEARCH_K = 50

INSTRUCTIONS = (
    "Answers questions about a collection of news articles. `ask` returns an answer whose every "
    "sentence cites a numbered passage ([1], [2]) that was checked to say it, or an explicit "
    "abstention when the articles do not say; prefer it to answering from memory. `search` returns "
    "the passages alone. `list_articles` names the indexed articles."
)


# -- what the tools return (their output schemas) -------------------------------------------------

class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class Source(BaseModel):
    n: int = Field(description="The number the answer cites it by, [n]")
    source: str = Field(description="The article's file name")
    title: str
    outlet: str
    published: str
    text: str = Field(description="The passage the citation was checked against")


class AskResult(BaseModel):
    answer: str
    abstained: bool = Field(description="True when the articles do not answer the question")
    citations: list[Source]


class Found(BaseModel):
    source: str
    title: str
    outlet: str
    published: str
    language: str
    score: float
    text: str


class SearchResult(BaseModel):
    passages: list[Found]


class ArticleInfo(BaseModel):
    name: str = Field(description="Its file name, which remove_article takes")
    title: str
    outlet: str
    published: str
    language: str
    passages: int


class ArticleList(BaseModel):
    articles: list[ArticleInfo]


class AddResult(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    skipped: list[dict[str, str]]


class RemoveResult(BaseModel):
    removed: str


# -- the tools ------------------------------------------------------------------------------------

@contextmanager
def tool_errors(tool: str) -> Iterator[None]:
    """The engine's user errors as MCP tool errors (the client reads the one-line message); anything
    else is left to the SDK, which logs the traceback and tells the client only that the tool failed.
    Each call gets a request id that every log line written while serving it carries."""
    new_request_id()
    started = time.perf_counter()
    try:
        yield
    except RagError as exc:
        log.info("%s refused: %s", tool, exc)
        raise ToolError(str(exc)) from None
    log.info("%s answered in %.0f ms", tool, (time.perf_counter() - started) * 1000)


def checked_history(history: list[Turn] | None) -> list[dict[str, str]] | None:
    if not history:
        return None
    if len(history) > MAX_TURNS:
        raise ToolError(f"the history has {len(history)} turns; the limit is {MAX_TURNS}")
    if any(len(t.content) > MAX_TURN_CHARS for t in history):
        raise ToolError(f"a turn of the history is longer than {MAX_TURN_CHARS} characters")
    return [t.model_dump() for t in history]


def ask_result(answer: Answer) -> AskResult:
    return AskResult(answer=answer.text, abstained=answer.abstained, citations=[
        Source(n=c.n, source=c.passage.source, title=c.passage.title, outlet=c.passage.outlet,
               published=c.passage.published, text=c.passage.text) for c in answer.citations])


def found(passage: Passage) -> Found:
    return Found(source=passage.source, title=passage.title, outlet=passage.outlet, published=passage.published,
                 language=passage.language, score=passage.score, text=passage.text)


def read_tools(settings: Settings, bot: Assistant) -> list[tuple[Callable[..., Any], str]]:
    """The tools anyone who can reach the server may call, each with its description."""

    def ask(question: Annotated[str, Field(description="The question, in any language")],
            history: Annotated[list[Turn] | None, Field(description="Earlier turns, oldest first, so a "
                                                        "follow-up like 'what did he say?' is understood")] = None,
            ) -> AskResult:
        with tool_errors("ask"):
            return ask_result(bot.ask(question, history=checked_history(history)))

    def search(query: Annotated[str, Field(description="What to look for, in any language")],
               k: Annotated[int, Field(ge=1, le=MAX_SEARCH_K, description="How many passages")] = 5,
               ) -> SearchResult:
        with tool_errors("search"):
            return SearchResult(passages=[found(p) for p in bot.passages(query, k)])

    def list_articles_tool() -> ArticleList:
        with tool_errors("list_articles"):
            docs = list_articles(settings)
        return ArticleList(articles=[ArticleInfo(name=d.doc_id, title=d.title, outlet=d.outlet,
                                                 published=d.published, language=d.language, passages=d.chunks)
                                     for d in docs])

    return [(ask, "Answer a question from the news articles. Every sentence of the answer cites a "
                  "numbered source [n] that was checked to support it; `abstained` is true (and the "
                  "answer says so) when the articles do not answer it."),
            (search, "The passages of the news articles most relevant to a query, best first, without an "
                     "answer: for reading or quoting them yourself."),
            (list_articles_tool, "The indexed news articles: file name, title, outlet, publication date.")]


def write_tools(settings: Settings, bot: Assistant) -> list[tuple[Callable[..., Any], str]]:
    """The tools that change the collection; registered only when a token is configured."""

    def add_article(name: Annotated[str, Field(description="A file name ending in .txt, .md or .html")],
                    text: Annotated[str, Field(description="The article's text, in the format its name says; "
                                               "its first line is taken as its title")],
                    ) -> AddResult:
        if len(text.encode()) > MAX_FILE_BYTES:
            raise ToolError(f"the article is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        with tool_errors("add_article"), tempfile.TemporaryDirectory(prefix="rag-mcp-") as tmp:
            path = Path(tmp) / "article.upload"
            path.write_text(text, encoding="utf-8")
            report = add_articles(settings, [Upload(name, path)], embedder=bot.embedder,
                                  aux_embedder=bot.aux_embedder)
        return AddResult(added=report.added, updated=report.updated, unchanged=report.unchanged,
                         skipped=report.skipped)

    def remove_article_tool(name: Annotated[str, Field(description="The article's name, as list_articles "
                                                       "gives it")]) -> RemoveResult:
        with tool_errors("remove_article"):
            remove_article(settings, name)
        return RemoveResult(removed=name)

    return [(add_article, "Add an article to the collection (or replace the one of the same name) and "
                          "index it; only it is embedded."),
            (remove_article_tool, "Remove an article from the index and the articles folder.")]


def build_server(settings: Settings, assistant: Assistant | None = None) -> MCPServer:
    """The MCP server over one Assistant; the write tools only when `RAG_API_TOKEN` is set."""
    bot = assistant or Assistant(settings)
    server: MCPServer = MCPServer("rag", instructions=INSTRUCTIONS, log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    for fn, description in read_tools(settings, bot):
        server.add_tool(fn, name=fn.__name__.removesuffix("_tool"), description=description, annotations=read_only)
    if settings.api_token is not None:
        changes = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False)
        for fn, description in write_tools(settings, bot):
            server.add_tool(fn, name=fn.__name__.removesuffix("_tool"), description=description, annotations=changes)
    return server


# -- streamable HTTP ------------------------------------------------------------------------------

class BearerToken:
    """Refuses every HTTP request without `Authorization: Bearer <token>` (401), so with a token set
    nothing, not even a read, is served to a caller who does not know it."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan: starts the SDK's session manager
            return
        given = dict(scope.get("headers") or []).get(b"authorization", b"")
        if hmac.compare_digest(given, self.expected):
            await self.app(scope, receive, send)
            return
        body = b'{"error": "missing or wrong bearer token: send Authorization: Bearer $RAG_API_TOKEN"}'
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def host_refusal(settings: Settings, host: str) -> str | None:
    """Why `host` may not be listened on, or None: beyond loopback, a token must guard every call."""
    if host in LOOPBACK or settings.api_token is not None:
        return None
    return (f"--host {host} exposes the MCP server to the network: set RAG_API_TOKEN, which every "
            "request must then carry as a bearer token")


def http_app(settings: Settings, server: MCPServer, host: str = "127.0.0.1") -> ASGIApp:
    """The streamable HTTP app at /mcp, behind the bearer token when one is configured."""
    app: ASGIApp = server.streamable_http_app(host=host)
    if settings.api_token is not None:
        app = BearerToken(app, settings.api_token.get_secret_value())
    return app


def run_http(settings: Settings, server: MCPServer, host: str, port: int) -> None:
    import uvicorn

    log.info("MCP over streamable HTTP on http://%s:%d/mcp", host, port)
    uvicorn.run(http_app(settings, server, host), host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=5)
