"""Operating the server: admission of questions (`Gate`), request-body limits (`BodyLimit`), the
`--auth` guard (`Guard`), Prometheus metrics, and the routes a load balancer and a scraper use
(`/healthz`, `/metrics`)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.documents import MAX_FILE_BYTES
from rag.logs import new_request_id
from rag.schema import Answer
from rag.serve.errors import HTTP_KINDS, ApiError, error_body, send_json
from rag.serve.state import AppState, state_of
from rag.store import IndexStore, StoreError

log = logging.getLogger(__name__)

JSON_LIMIT = 1024 * 1024  # a question, its history and options: far below this
UPLOAD_LIMIT = MAX_FILE_BYTES + 1024 * 1024  # one article file at its largest, plus multipart framing
BODY_TIMEOUT_S = 30.0  # a client that sends its body slower than this per read is cut off (408)
OPEN_PATHS = ("/healthz",)  # reachable without credentials even when --auth guards the server


# -- admission ---------------------------------------------------------------------------------------

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


# -- request bodies -----------------------------------------------------------------------------------

def limit_for(path: str) -> int | None:
    """The largest body a path accepts: an upload (articles, the page's file events) or JSON."""
    if path == "/api/articles" or path == "/ui" or path.startswith("/ui/"):
        return UPLOAD_LIMIT
    return JSON_LIMIT


def too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit / 1024 / 1024:g} MiB"


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
            await send_json(send, 413, error_body(413, "payload_too_large", too_large(limit)))
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
            await send_json(send, exc.status_code, error_body(exc.status_code, HTTP_KINDS[exc.status_code],
                                                              str(exc.detail)))


# -- credentials ---------------------------------------------------------------------------------------

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
            await send_json(send, 401, body, [(b"www-authenticate", b'Basic realm="rag"')])
            return
        await self.app(scope, receive, send)


# -- metrics ---------------------------------------------------------------------------------------------

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


class RequestIds:
    """Give every request an id (the client's `X-Request-ID` when sane, else a new one), stamp it
    on every log line written while serving it, return it in the `X-Request-ID` response header,
    and log one access line per request at info level."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = new_request_id(offered)
        started, status = time.perf_counter(), 0

        async def stamped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, stamped)
        finally:
            log.info("%s %s %s %.0f ms", scope.get("method"), scope.get("path"), status or "-",
                     (time.perf_counter() - started) * 1000)


def counting(metrics: Metrics) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """The HTTP middleware that counts every request and times it to its response headers."""

    async def count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = route_of(request)
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(time.perf_counter() - start)
        return response

    return count


# -- the routes --------------------------------------------------------------------------------------------

router = APIRouter(tags=["operations"])


def index_health(state: AppState) -> JSONResponse:
    settings = state.settings
    try:
        passages = IndexStore.open(settings).count()
    except StoreError as exc:
        return JSONResponse({"status": "unavailable", "error": str(exc)}, 503)
    return JSONResponse({"status": "ok", "passages": passages, "llm": settings.llm_backend,
                         "model": settings.llm_model_name, "questions_in_flight": state.gate.admitted})


@router.get("/healthz", summary="Liveness and index readiness (503 when no index)",
            responses={503: {"description": "The index cannot be opened"}})
async def healthz(state: Annotated[AppState, Depends(state_of)]) -> JSONResponse:
    response: JSONResponse = await anyio.to_thread.run_sync(index_health, state, limiter=state.light)
    return response


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def prometheus(state: Annotated[AppState, Depends(state_of)]) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
