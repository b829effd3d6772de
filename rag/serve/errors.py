"""Every error the API sends, in one shape: `{"error": {"message", "type", "code"}}`, the shape
OpenAI clients already parse. The library's user-facing errors map to the status that says whose
fault it is; anything else is a 500 whose traceback goes to the server log."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from rag.access import AccessError
from rag.errors import RagError
from rag.indexing import IndexBusyError
from rag.library import LibraryError
from rag.llm import LLMError
from rag.prompts import QuestionError
from rag.store import StoreError

log = logging.getLogger(__name__)


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


async def send_json(send: Send, status: int, body: dict[str, Any],
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A JSON response sent by plain ASGI middleware, before (or instead of) the app."""
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


# -- the error shape in the OpenAPI document --------------------------------------------------------

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


# -- the handlers ------------------------------------------------------------------------------------

async def api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = HTTP_KINDS.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    return JSONResponse(error_body(exc.status_code, kind, message), exc.status_code,
                        headers=getattr(exc, "headers", None))


async def invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    return JSONResponse(error_body(400, "invalid_request_error", f"{where}: {first.get('msg')}"), 400)


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    error = as_api_error(exc)
    if error.status >= 500:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(error)


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves in one shape; an unexpected one is logged with its traceback."""
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)
