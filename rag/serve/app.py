"""`rag serve`: the chat page, an OpenAI-compatible endpoint and a REST API in one ASGI app.

This module only wires the app together; the routes and their rules live beside it:
`openai_compat` (`/v1`), `rest` (`/api`), `ops` (`/healthz`, `/metrics`, limits, `--auth`),
`errors` (every error is `{"error": {"message", "type", "code"}}`, the shape OpenAI clients
already parse). Writes need the bearer token `RAG_API_TOKEN`.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from rag.assistant import Assistant
from rag.serve import openai_compat, ops, rest
from rag.serve.errors import install_error_handlers
from rag.serve.ops import BODY_TIMEOUT_S, BodyLimit, Gate, Guard, Metrics, RequestIds, counting, limit_for
from rag.serve.state import AppState
from rag.settings import Settings

DESCRIPTION = ("`/v1/chat/completions` speaks OpenAI's protocol (any OpenAI client works with "
               "`base_url=http://host:port/v1`); the answer keeps its `[n]` markers and the cited "
               "passages come in an extra `sources` field. Writes need `Authorization: Bearer "
               "$RAG_API_TOKEN`. Errors are `{\"error\": {\"message\", \"type\", \"code\"}}`.")


def create_app(settings: Settings, assistant: Assistant | None = None, *, ui: bool = True,
               ui_auth: tuple[str, str] | None = None, body_timeout: float = BODY_TIMEOUT_S) -> FastAPI:
    """The `rag serve` app. `assistant` lets an embedding app share its loaded models; `ui_auth`
    guards the page and every route but `/healthz`."""
    bot = assistant or Assistant(settings)
    state = AppState(settings, bot, Gate(settings.llm_concurrency, settings.queue_limit), Metrics())
    app = FastAPIOffline(  # Swagger UI and ReDoc from package files: FastAPI's default pulls them from a CDN
        static_url="/static-docs",
        title="rag",
        version="1",
        summary="Questions about news articles, answered with numbered citations of their sources.",
        description=DESCRIPTION,
    )
    app.state.rag = state
    app.add_middleware(BodyLimit, limit_for=limit_for, timeout=body_timeout)
    if ui_auth is not None:
        token = settings.api_token.get_secret_value() if settings.api_token else None
        app.add_middleware(Guard, user=ui_auth[0], password=ui_auth[1], token=token)
    app.middleware("http")(counting(state.metrics))
    app.add_middleware(RequestIds)  # outermost of ours: every log line of the request carries its id
    install_error_handlers(app)
    app.include_router(rest.router)
    app.include_router(openai_compat.router)
    app.include_router(ops.router)
    if ui:
        from ui.mount import mount_ui

        mount_ui(app, settings, bot, ui_auth)
    return app
