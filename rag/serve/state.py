"""What the routes of one app share: its settings, the assistant, the question gate, the metrics
and the small thread pool of the light routes. One `AppState` per app, kept on `app.state.rag`;
routes receive it with `Depends(state_of)`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio
from fastapi import Request

from rag.assistant import Assistant
from rag.schema import Answer
from rag.serve.errors import as_api_error
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.serve.ops import Gate, Metrics


@dataclass
class AppState:
    settings: Settings
    bot: Assistant
    gate: Gate
    metrics: Metrics
    # health, metrics, the article list: never behind questions
    light: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(4))

    def answer_now(self, question: str, history: list[dict[str, str]]) -> Answer:
        """One whole answer, on the calling (question pool) thread, counted in the metrics."""
        try:
            stream = self.bot.stream(question, history=history or None)
            with stream:
                tokens = sum(1 for _ in stream)
        except Exception as exc:
            self.metrics.answers.labels("error").inc()
            raise as_api_error(exc) from exc
        assert stream.answer is not None
        self.metrics.record(stream.answer)
        self.metrics.tokens.inc(tokens)
        return stream.answer

    async def answer_admitted(self, question: str, history: list[dict[str, str]]) -> Answer:
        """`answer_now` once the gate admits the question (a 429 when it is full)."""
        self.gate.enter()
        started = time.perf_counter()
        try:
            answer: Answer = await self.gate.run(self.answer_now, question, history)
        except BaseException:
            self.gate.leave()
            raise
        self.gate.leave(time.perf_counter() - started)
        return answer


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.rag
    return state
