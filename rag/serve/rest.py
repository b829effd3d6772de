"""The REST API, mirroring the CLI: `/api/ask` is `rag ask --json`; `/api/articles` is the chat
page's Articles tab (writes need the bearer token `RAG_API_TOKEN`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from rag.access import AccessError, WritesDisabled, check_write
from rag.library import LibraryError, Upload, add_articles, list_articles, remove_article
from rag.serve.errors import ERRORS, WRITE_ERRORS, ApiError, ErrorResponse, as_api_error
from rag.serve.state import AppState, state_of
from rag.store import StoreError

BEARER = HTTPBearer(auto_error=False, description="RAG_API_TOKEN")  # module level: annotations resolve here
State = Annotated[AppState, Depends(state_of)]


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question, in any language", max_length=100_000)
    history: list[Turn] = Field(default_factory=list, max_length=40,
                                description="Earlier turns, oldest first; follow-ups are rewritten with them")


def require_token(state: State,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> None:
    try:
        check_write(state.settings, credentials.credentials if credentials else None)
    except WritesDisabled as exc:
        raise ApiError(403, "permission_error", str(exc)) from exc
    except AccessError as exc:
        raise ApiError(401, "authentication_error", "send the header Authorization: Bearer <RAG_API_TOKEN>",
                       {"WWW-Authenticate": "Bearer"}) from exc


router = APIRouter()


@router.post("/api/ask", tags=["ask"], responses=ERRORS,
             summary="Answer a question with citations (the `rag ask --json` contract)")
async def ask(body: AskRequest, state: State) -> dict[str, Any]:
    answer = await state.answer_admitted(body.question, [t.model_dump() for t in body.history])
    return answer.to_dict()


@router.get("/api/articles", tags=["articles"], responses=ERRORS, summary="The indexed articles")
async def articles(state: State) -> list[dict[str, Any]]:
    try:
        docs = await anyio.to_thread.run_sync(list_articles, state.settings, limiter=state.light)
    except StoreError as exc:
        raise as_api_error(exc) from exc
    return [{"id": d.doc_id, "source": d.source, "title": d.title, "outlet": d.outlet,
             "published": d.published, "language": d.language, "passages": d.chunks,
             "content_hash": d.content_hash} for d in docs]


@router.post("/api/articles", tags=["articles"], status_code=201, responses=WRITE_ERRORS,
             dependencies=[Depends(require_token)],
             summary="Add or replace articles (.txt, .md, .html files); only they are embedded")
def add(files: Annotated[list[UploadFile], File(description="Article files")], state: State) -> dict[str, object]:
    bot = state.bot
    with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
        uploads = []
        for i, upload in enumerate(files):
            path = Path(tmp) / f"{i}.upload"
            with path.open("wb") as fh:
                while block := upload.file.read(1024 * 1024):
                    fh.write(block)
            uploads.append(Upload(upload.filename or path.name, path))
        try:
            report = add_articles(state.settings, uploads, embedder=bot.embedder, aux_embedder=bot.aux_embedder)
        except Exception as exc:
            raise as_api_error(exc) from exc
    return report.to_dict()


@router.delete("/api/articles/{article_id:path}", tags=["articles"], responses={
    **WRITE_ERRORS, 404: {"model": ErrorResponse, "description": "No such article"}},
    dependencies=[Depends(require_token)], summary="Remove an article from the index and the articles folder")
def delete(article_id: str, state: State) -> dict[str, str]:
    try:
        remove_article(state.settings, article_id)
    except LibraryError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    except Exception as exc:
        raise as_api_error(exc) from exc
    return {"removed": article_id}
