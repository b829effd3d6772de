"""`rag serve`: the chat page, an OpenAI-compatible endpoint and a REST API in one ASGI app.

Other apps talk to the bot the way they already talk to a model: point any OpenAI client at
`http://host:port/v1` and the answers come back with `[n]` markers and a `sources` field. The
REST endpoints mirror the CLI (`/api/ask` is `rag ask --json`; `/api/articles` is the chat
page's Articles tab). Every error is `{"error": {"message", "type", "code"}}`, the shape OpenAI
clients already parse, and writes need the bearer token `RAG_API_TOKEN`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import json
import logging
import math
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import Depends, FastAPI, File, HTTPException, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.access import AccessError, WritesDisabled, check_write
from rag.answering import Answer, QuestionError
from rag.assistant import AnswerStream, Assistant
from rag.documents import MAX_FILE_BYTES
from rag.errors import RagError
from rag.indexing import IndexBusyError
from rag.library import LibraryError, Upload, add_articles, list_articles, remove_article
from rag.llm import LLMError
from rag.settings import Settings
from rag.store import IndexStore, StoreError

JSON_LIMIT = 1024 * 1024  # a question, its history and options: far below this
UPLOAD_LIMIT = MAX_FILE_BYTES + 1024 * 1024  # one article file at its largest, plus multipart framing
BODY_TIMEOUT_S = 30.0  # a client that sends its body slower than this per read is cut off (408)
MODEL_ID = "rag"
BEARER = HTTPBearer(auto_error=False, description="RAG_API_TOKEN")  # module level: annotations resolve here
OPEN_PATHS = ("/healthz",)  # reachable without credentials even when --auth guards the server
log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- errors

class ApiError(Exception):
    """An error with the HTTP status and type a client can branch on."""

    def __init__(self, status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.headers = status, kind, message, headers


def error_body(status: int, kind: str, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": status}}


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.status, exc.kind, exc.message), exc.status, headers=exc.headers)


def as_api_error(exc: Exception) -> ApiError:
    """The user-facing errors of the library, each with the status that says whose fault it is."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, (QuestionError, LibraryError)):
        return ApiError(400, "invalid_request_error", str(exc))
    if isinstance(exc, IndexBusyError):
        return ApiError(409, "conflict", str(exc))
    if isinstance(exc, StoreError):  # no index yet, or the Chroma server is unreachable
        return ApiError(503, "index_unavailable", str(exc))
    if isinstance(exc, LLMError):
        return ApiError(502, "llm_error", str(exc))
    if isinstance(exc, AccessError):
        return ApiError(403, "permission_error", str(exc))
    if isinstance(exc, RagError):
        return ApiError(400, "invalid_request_error", str(exc))
    return ApiError(500, "internal_error", f"unexpected {type(exc).__name__}; see the server log")


HTTP_KINDS = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
              404: "not_found", 405: "method_not_allowed", 408: "request_timeout", 413: "payload_too_large",
              415: "unsupported_media_type", 429: "rate_limit_exceeded"}


class BodyRefused(HTTPException):
    """A request body we stop reading: too large (413) or too slow (408). An HTTPException, so
    FastAPI's body parsing lets it through as is and the error handler gives it our shape."""


class BodyLimit:
    """Refuses request bodies over the limit for their path (413), declared or streamed, and
    bodies that trickle in slower than `timeout` seconds per read (408, a slow-loris client
    would otherwise hold a worker for ever). Paths with no limit pass untouched."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int | None], timeout: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.limit_for = limit_for
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, error_body(413, "payload_too_large", too_large(limit)))
            return
        received = 0
        complete = False
        started = False

        async def counted() -> Message:
            nonlocal received, complete
            if complete:  # the body is in: later reads wait for a disconnect, for as long as it takes
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                raise BodyRefused(408, f"the request body did not arrive within {self.timeout:g} s") from None
            received += len(message.get("body", b""))
            complete = not message.get("more_body", False)
            if received > limit:
                raise BodyRefused(413, too_large(limit))
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyRefused as exc:  # raised where no FastAPI handler turns it into a response (the page)
            if started:
                raise
            await _send_json(send, exc.status_code, error_body(exc.status_code, HTTP_KINDS[exc.status_code],
                                                               str(exc.detail)))


class Guard:
    """With `--auth user:password`, every route but the health check needs credentials: HTTP Basic
    with that pair or the API token as a bearer. The page (`/ui`) does its own login, with the
    same pair. Without this, `/api/ask` and `/v1/chat/completions` would spend the operator's LLM
    for anyone who found the port."""

    def __init__(self, app: ASGIApp, user: str, password: str, token: str | None) -> None:
        self.app = app
        self.basic = f"{user}:{password}".encode()
        self.token = token.encode() if token else None

    def allowed(self, header: bytes) -> bool:
        scheme, _, value = header.partition(b" ")
        if scheme.lower() == b"bearer" and self.token is not None:
            return hmac.compare_digest(value.strip(), self.token)
        if scheme.lower() == b"basic":
            try:
                pair = base64.b64decode(value.strip(), validate=True)
            except (binascii.Error, ValueError):
                return False
            return hmac.compare_digest(pair, self.basic)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path == "/ui" or path.startswith("/ui/"):
            await self.app(scope, receive, send)
            return
        if not self.allowed(dict(scope.get("headers", [])).get(b"authorization", b"")):
            body = error_body(401, "authentication_error", "this server needs credentials: HTTP Basic with the "
                              "--auth user:password, or Authorization: Bearer <RAG_API_TOKEN>")
            await _send_json(send, 401, body, [(b"www-authenticate", b'Basic realm="rag"')])
            return
        await self.app(scope, receive, send)


class Gate:
    """Admission for questions: `concurrency` answered at once (each on a worker thread of its
    own pool), up to `queue` more waiting without a thread, and beyond that a 429 with
    Retry-After at once. Questions never take the threads that health checks, metrics and the
    article list run on, so a burst cannot make a load balancer think the replica is dead."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self.concurrency = concurrency
        self.capacity = concurrency + queue
        self.admitted = 0
        self.limiter = anyio.CapacityLimiter(concurrency)
        self.seconds_per_answer = 10.0  # a first guess, then a running average of real answers

    def enter(self) -> None:
        if self.admitted >= self.capacity:
            wait = math.ceil(self.seconds_per_answer * (self.admitted - self.concurrency + 1) / self.concurrency)
            raise ApiError(429, "rate_limit_exceeded", f"{self.admitted} questions are already being answered or "
                           "waiting; try again shortly", {"Retry-After": str(max(1, wait))})
        self.admitted += 1

    def leave(self, seconds: float | None = None) -> None:
        self.admitted -= 1
        if seconds is not None:
            self.seconds_per_answer = 0.8 * self.seconds_per_answer + 0.2 * seconds

    async def run(self, func: Callable[..., Any], *args: Any) -> Any:
        """`func(*args)` on the question pool, holding one of its threads only while it runs."""
        return await anyio.to_thread.run_sync(func, *args, limiter=self.limiter)


def too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit / 1024 / 1024:g} MiB"


async def _send_json(send: Send, status: int, body: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


# ---------------------------------------------------------------------------------------------- schemas

class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question, in any language", max_length=100_000)
    history: list[Turn] = Field(default_factory=list, max_length=40,
                                description="Earlier turns, oldest first; follow-ups are rewritten with them")


class TextPart(BaseModel):
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; sampling options are accepted and ignored (answers are deterministic)."""

    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=81)
    stream: bool = False


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: int


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {400: "Bad request", 413: "Body too large", 502: "The LLM failed",
                       503: "No index yet"}.items()
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **{k: v for k, v in ERRORS.items() if k != 502},
    401: {"model": ErrorResponse, "description": "Missing or wrong bearer token"},
    403: {"model": ErrorResponse, "description": "Writes are disabled (no RAG_API_TOKEN set)"},
    409: {"model": ErrorResponse, "description": "Another indexing run holds the index"},
}


# ---------------------------------------------------------------------------------------------- metrics

class Metrics:
    """Prometheus metrics of one app (own registry: two apps in one process never mix counts)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("rag_http_requests", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("rag_http_request_duration_seconds", "Time to the response headers",
                                 ["method", "route"], registry=self.registry,
                                 buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80))
        self.first_token = Histogram("rag_answer_first_token_seconds", "Question to first answer token",
                                     registry=self.registry, buckets=(0.25, 0.5, 1, 2, 4, 8, 16, 32, 64))
        self.answer_time = Histogram("rag_answer_duration_seconds", "Question to complete answer",
                                     registry=self.registry, buckets=(0.5, 1, 2, 4, 8, 16, 32, 64, 128))
        self.tokens = Counter("rag_answer_tokens", "Answer tokens streamed (llama.cpp and most servers stream "
                              "one token per delta)", registry=self.registry)
        self.answers = Counter("rag_answers", "Answers by outcome", ["outcome"], registry=self.registry)

    def record(self, answer: Answer) -> None:
        self.answers.labels("abstained" if answer.abstained else "answered").inc()
        if "first_token" in answer.timings_ms:
            self.first_token.observe(answer.timings_ms["first_token"] / 1000)
        self.answer_time.observe(answer.timings_ms.get("total", 0) / 1000)


def route_of(request: Request) -> str:
    """The route template (bounded label values), not the raw path."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    return "/ui" if request.url.path.startswith("/ui") else "unmatched"


# ---------------------------------------------------------------------------------------------- the app

def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves in one shape; an unexpected one is logged with its traceback."""

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = HTTP_KINDS.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return JSONResponse(error_body(exc.status_code, kind, message), exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return JSONResponse(error_body(400, "invalid_request_error", f"{where}: {first.get('msg')}"), 400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        error = as_api_error(exc)
        if error.status >= 500:
            log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(error)


class Wire:
    """OpenAI's chat-completion wire format for one reply."""

    def __init__(self, completion_id: str, created: int, model: str) -> None:
        self.id, self.created, self.model = completion_id, created, model

    def completion(self, answer: Answer) -> dict[str, Any]:
        return {
            "id": self.id, "object": "chat.completion", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                         "finish_reason": "stop"}],
            "sources": [c.to_dict() for c in answer.citations],
            "abstained": answer.abstained,
        }

    def chunk(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


class Ticket:
    """One admitted streamed question: closing it (once, from whichever side sees the end first)
    closes the answer stream, so the LLM request stops and its slot is free, and leaves the gate."""

    def __init__(self, stream: AnswerStream, gate: Gate) -> None:
        self.stream, self.gate = stream, gate
        self.started = time.perf_counter()
        self.closed = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ValueError):  # "generator already executing": it is closing itself
            self.stream.close()
        self.gate.leave(time.perf_counter() - self.started)


class ClosingStreamingResponse(StreamingResponse):
    """A streamed response that closes its ticket however it ends: finished, failed, or the client
    gone before the first byte (when the body generator may never have started)."""

    def __init__(self, content: AsyncIterator[str], ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.ticket = ticket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.ticket.close()


async def sse_events(wire: Wire, ticket: Ticket, tokens: Any, first: str | None,
                     metrics: Metrics) -> AsyncIterator[str]:
    """The streamed reply. Each next token is computed on the question pool; when the client hangs
    up, the task is cancelled between tokens and the ticket closes the stream, which closes the LLM
    request and frees its slot at once (an abandoned stream used to keep it for good)."""
    stream, gate = ticket.stream, ticket.gate
    count = 0
    try:
        yield wire.chunk({"role": "assistant", "content": ""})
        token = first
        while token is not None:
            count += 1
            yield wire.chunk({"content": token})
            token = await gate.run(next, tokens, None)
    except Exception as exc:  # mid-stream: the OpenAI convention is an error event
        metrics.answers.labels("error").inc()
        error = as_api_error(exc)
        if error.status >= 500:
            log.error("streamed answer failed", exc_info=exc)
        yield f"data: {json.dumps(error_body(error.status, error.kind, error.message))}\n\n"
        yield "data: [DONE]\n\n"
        return
    finally:
        ticket.close()
    answer = stream.answer
    assert answer is not None
    metrics.record(answer)
    metrics.tokens.inc(count)
    yield wire.chunk({}, "stop", sources=[c.to_dict() for c in answer.citations], abstained=answer.abstained,
                     answer=answer.text)
    yield "data: [DONE]\n\n"


def create_app(settings: Settings, assistant: Assistant | None = None, *, ui: bool = True,
               ui_auth: tuple[str, str] | None = None, body_timeout: float = BODY_TIMEOUT_S) -> FastAPI:
    """The `rag serve` app. `assistant` lets an embedding app share its loaded models; `ui_auth`
    guards the page and every route but `/healthz`."""
    bot = assistant or Assistant(settings)
    metrics = Metrics()
    gate = Gate(settings.llm_concurrency, settings.queue_limit)
    light = anyio.CapacityLimiter(4)  # health, metrics, the article list: never behind questions
    app = FastAPIOffline(  # Swagger UI and ReDoc from package files: FastAPI's default pulls them from a CDN
        static_url="/static-docs",
        title="rag",
        version="1",
        summary="Questions about news articles, answered with numbered citations of their sources.",
        description="`/v1/chat/completions` speaks OpenAI's protocol (any OpenAI client works with "
                    "`base_url=http://host:port/v1`); the answer keeps its `[n]` markers and the cited "
                    "passages come in an extra `sources` field. Writes need `Authorization: Bearer "
                    "$RAG_API_TOKEN`. Errors are `{\"error\": {\"message\", \"type\", \"code\"}}`.",
    )

    def limit_for(path: str) -> int | None:
        if path == "/api/articles" or path == "/ui" or path.startswith("/ui/"):
            return UPLOAD_LIMIT
        return JSON_LIMIT

    app.add_middleware(BodyLimit, limit_for=limit_for, timeout=body_timeout)
    if ui_auth is not None:
        token = settings.api_token.get_secret_value() if settings.api_token else None
        app.add_middleware(Guard, user=ui_auth[0], password=ui_auth[1], token=token)

    @app.middleware("http")
    async def count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = route_of(request)
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(time.perf_counter() - start)
        return response

    install_error_handlers(app)

    def require_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> None:
        try:
            check_write(settings, credentials.credentials if credentials else None)
        except WritesDisabled as exc:
            raise ApiError(403, "permission_error", str(exc)) from exc
        except AccessError as exc:
            raise ApiError(401, "authentication_error", "send the header Authorization: Bearer <RAG_API_TOKEN>",
                           {"WWW-Authenticate": "Bearer"}) from exc

    def answer_now(question: str, history: list[dict[str, str]]) -> Answer:
        try:
            stream = bot.stream(question, history=history or None)
            with stream:
                tokens = sum(1 for _ in stream)
        except Exception as exc:
            metrics.answers.labels("error").inc()
            raise as_api_error(exc) from exc
        assert stream.answer is not None
        metrics.record(stream.answer)
        metrics.tokens.inc(tokens)
        return stream.answer

    async def answer_admitted(question: str, history: list[dict[str, str]]) -> Answer:
        gate.enter()
        started = time.perf_counter()
        try:
            answer: Answer = await gate.run(answer_now, question, history)
        except BaseException:
            gate.leave()
            raise
        gate.leave(time.perf_counter() - started)
        return answer

    # -- asking -------------------------------------------------------------------------------------

    @app.post("/api/ask", tags=["ask"], responses=ERRORS,
              summary="Answer a question with citations (the `rag ask --json` contract)")
    async def ask(body: AskRequest) -> dict[str, Any]:
        answer = await answer_admitted(body.question, [t.model_dump() for t in body.history])
        return answer.to_dict()

    @app.get("/v1/models", tags=["openai"], summary="The one model this server offers: `rag`")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "rag"}]}

    @app.post("/v1/chat/completions", tags=["openai"], responses=ERRORS,
              summary="OpenAI-compatible chat completions (stream or not); extra field `sources`")
    async def chat_completions(body: ChatCompletionRequest) -> Any:
        question, history = split_conversation(body.messages)
        wire = Wire(f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), body.model)
        if not body.stream:
            return wire.completion(await answer_admitted(question, history))
        gate.enter()
        try:
            stream = await gate.run(bot.stream, question, history or None)
            tokens = iter(stream)
            first = await gate.run(next, tokens, None)  # errors before the first token are proper HTTP errors
        except BaseException as exc:
            gate.leave()
            metrics.answers.labels("error").inc()
            if isinstance(exc, Exception):
                raise as_api_error(exc) from exc
            raise
        ticket = Ticket(stream, gate)
        return ClosingStreamingResponse(sse_events(wire, ticket, tokens, first, metrics), ticket,
                                        media_type="text/event-stream",
                                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    # -- articles -----------------------------------------------------------------------------------

    @app.get("/api/articles", tags=["articles"], responses=ERRORS, summary="The indexed articles")
    async def articles() -> list[dict[str, Any]]:
        try:
            docs = await anyio.to_thread.run_sync(list_articles, settings, limiter=light)
        except StoreError as exc:
            raise as_api_error(exc) from exc
        return [{"id": d.doc_id, "source": d.source, "title": d.title, "outlet": d.outlet,
                 "published": d.published, "language": d.language, "passages": d.chunks,
                 "content_hash": d.content_hash} for d in docs]

    @app.post("/api/articles", tags=["articles"], status_code=201, responses=WRITE_ERRORS,
              dependencies=[Depends(require_token)],
              summary="Add or replace articles (.txt, .md, .html files); only they are embedded")
    def add(files: Annotated[list[UploadFile], File(description="Article files")]) -> dict[str, object]:
        with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
            uploads = []
            for i, upload in enumerate(files):
                path = Path(tmp) / f"{i}.upload"
                with path.open("wb") as fh:
                    while block := upload.file.read(1024 * 1024):
                        fh.write(block)
                uploads.append(Upload(upload.filename or path.name, path))
            try:
                report = add_articles(settings, uploads, embedder=bot.embedder, aux_embedder=bot.aux_embedder)
            except Exception as exc:
                raise as_api_error(exc) from exc
        return report.to_dict()

    @app.delete("/api/articles/{article_id:path}", tags=["articles"], responses={
        **WRITE_ERRORS, 404: {"model": ErrorResponse, "description": "No such article"}},
        dependencies=[Depends(require_token)], summary="Remove an article from the index and the articles folder")
    def delete(article_id: str) -> dict[str, str]:
        try:
            remove_article(settings, article_id)
        except LibraryError as exc:
            raise ApiError(404, "not_found", str(exc)) from exc
        except Exception as exc:
            raise as_api_error(exc) from exc
        return {"removed": article_id}

    # -- operations ---------------------------------------------------------------------------------

    def index_health() -> JSONResponse:
        try:
            passages = IndexStore.open(settings).count()
        except StoreError as exc:
            return JSONResponse({"status": "unavailable", "error": str(exc)}, 503)
        return JSONResponse({"status": "ok", "passages": passages, "llm": settings.llm_backend,
                             "model": settings.llm_model_name, "questions_in_flight": gate.admitted})

    @app.get("/healthz", tags=["operations"], summary="Liveness and index readiness (503 when no index)",
             responses={503: {"description": "The index cannot be opened"}})
    async def healthz() -> JSONResponse:
        response: JSONResponse = await anyio.to_thread.run_sync(index_health, limiter=light)
        return response

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics",
             response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    if ui:
        mount_ui(app, settings, bot, ui_auth)
    return app


def split_conversation(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The last user message is the question; earlier user/assistant turns are its history."""
    if messages[-1].role != "user":
        raise ApiError(400, "invalid_request_error", "the last message must come from the user")
    history = [{"role": m.role, "content": m.text()} for m in messages[:-1] if m.role in ("user", "assistant")]
    return messages[-1].text(), history


def mount_ui(app: FastAPI, settings: Settings, bot: Assistant, auth: tuple[str, str] | None) -> None:
    import gradio as gr

    from ui.app import build_app, launch_kwargs

    demo = build_app(settings, bot).queue(default_concurrency_limit=8)  # not loopback: writes need a secret
    gr.mount_gradio_app(app, demo, path="/ui", auth=auth, max_file_size=MAX_FILE_BYTES, show_error=False,
                        **launch_kwargs())

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/")
