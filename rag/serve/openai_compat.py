"""OpenAI's chat-completion protocol: `/v1/models` and `/v1/chat/completions`, streamed (SSE) or not.

Other apps talk to the bot the way they already talk to a model: point any OpenAI client at
`http://host:port/v1` and the answers come back with `[n]` markers and a `sources` field.
Most clients (LangChain's `ChatOpenAI`, LlamaIndex's `OpenAILike`, chat UIs) keep only the
message content, so by default (model `rag`) the content ends with a references block that
resolves every `[n]`; model `rag-plain` gives the answer alone, for clients that read `sources`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Receive, Scope, Send

from rag.assistant import AnswerStream
from rag.references import references_block
from rag.schema import Answer
from rag.serve.errors import ERRORS, ApiError, as_api_error, error_body
from rag.serve.ops import Gate, Metrics
from rag.serve.state import AppState, state_of

MODEL_ID = "rag"  # the answer, then a references block: citations survive any client
PLAIN_MODEL_ID = "rag-plain"  # the answer alone; its sources only in the `sources` field
MODELS = {MODEL_ID: "answer with [n] markers and a references block resolving them (default)",
          PLAIN_MODEL_ID: "answer with [n] markers only; sources in the `sources` field"}
REFERENCES_HEAD = "\n\nReferences:\n"
log = logging.getLogger(__name__)


def with_references(model: str) -> bool:
    """Whether replies for this model id carry the references block (all but `rag-plain`)."""
    return model != PLAIN_MODEL_ID


def without_references(text: str) -> str:
    """An assistant turn as a client sends it back, minus the references block we appended:
    the follow-up rewrite needs the conversation, not a list of sources."""
    return text.split(REFERENCES_HEAD, 1)[0]


# -- the request -----------------------------------------------------------------------------------

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


def split_conversation(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The last user message is the question; earlier user/assistant turns are its history."""
    if messages[-1].role != "user":
        raise ApiError(400, "invalid_request_error", "the last message must come from the user")
    history = [{"role": m.role, "content": without_references(m.text())} for m in messages[:-1]
               if m.role in ("user", "assistant")]
    return messages[-1].text(), history


# -- the reply ---------------------------------------------------------------------------------------

class Wire:
    """OpenAI's chat-completion wire format for one reply."""

    def __init__(self, completion_id: str, created: int, model: str) -> None:
        self.id, self.created, self.model = completion_id, created, model

    def references(self, answer: Answer) -> str:
        """What follows the answer in the content: the references block, or nothing."""
        block = references_block(answer) if with_references(self.model) else ""
        return REFERENCES_HEAD + block.removeprefix("References:\n") if block else ""

    def completion(self, answer: Answer) -> dict[str, Any]:
        content = answer.text + self.references(answer)
        return {
            "id": self.id, "object": "chat.completion", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
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
    references = wire.references(answer)
    if references:
        yield wire.chunk({"content": references})
    yield wire.chunk({}, "stop", sources=[c.to_dict() for c in answer.citations], abstained=answer.abstained,
                     answer=answer.text)
    yield "data: [DONE]\n\n"


async def streamed(state: AppState, wire: Wire, question: str, history: list[dict[str, str]]) -> StreamingResponse:
    """Admit the question and start it: errors before the first token are proper HTTP errors."""
    gate, metrics = state.gate, state.metrics
    gate.enter()
    try:
        stream = await gate.run(state.bot.stream, question, history or None)
        tokens = iter(stream)
        first = await gate.run(next, tokens, None)
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


# -- the routes ----------------------------------------------------------------------------------------

router = APIRouter(tags=["openai"])


@router.get("/v1/models", summary="The answer styles offered: `rag` (with references, default) and `rag-plain`")
async def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": "rag",
                                        "description": description} for model, description in MODELS.items()]}


@router.post("/v1/chat/completions", responses=ERRORS,
             summary="OpenAI-compatible chat completions (stream or not); extra field `sources`")
async def chat_completions(body: ChatCompletionRequest, state: Annotated[AppState, Depends(state_of)]) -> Any:
    question, history = split_conversation(body.messages)
    wire = Wire(f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), body.model)
    if not body.stream:
        return wire.completion(await state.answer_admitted(question, history))
    return await streamed(state, wire, question, history)
