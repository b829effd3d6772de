"""`Assistant`: the query engine that apps embed. Retrieve, prompt, stream, cite.

    from rag import Assistant
    bot = Assistant()
    answer = bot.ask("Who is Russia's ambassador to Canada?")
    stream = bot.stream("What did he say about sanctions?", history=[...])
    for token in stream: ...
    stream.answer  # the final Answer once the stream is exhausted
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from llama_index.core.embeddings import BaseEmbedding

from rag.answering import (
    Answer,
    CitationRenumberer,
    answer_messages,
    clean_question,
    finalize,
    parse_rewrite,
    rewrite_messages,
)
from rag.embeddings import make_aux_embedding, make_embedding
from rag.indexing import build_info
from rag.llm import ChatModel, make_chat_model
from rag.retrieval import Passage, Retriever
from rag.settings import Settings
from rag.store import IndexStore

History = Sequence[dict[str, str]]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


class AnswerStream:
    """Iterates over the answer's text as it is generated; `.answer` holds the result afterwards."""

    def __init__(self, tokens: Iterator[str]) -> None:
        self._tokens = tokens
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        return self._tokens


class Assistant:
    """Answers questions about the indexed articles, citing the passages it used.

    Heavy parts (embedding model, LLM, store) are created lazily, so constructing an
    Assistant is cheap and `rag status` never loads a model.
    """

    def __init__(self, settings: Settings | None = None, *, chat_model: ChatModel | None = None,
                 embedder: BaseEmbedding | None = None) -> None:
        self.settings = settings or Settings()
        self._chat_model = chat_model
        self._embedder = embedder
        self._retriever: Retriever | None = None
        self._aux_embedder: BaseEmbedding | None = None
        self._loading: Future[ChatModel] | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> BaseEmbedding:
        if self._embedder is None:
            self._embedder = make_embedding(self.settings)
        return self._embedder

    @property
    def aux_embedder(self) -> BaseEmbedding | None:
        if self._aux_embedder is None:
            self._aux_embedder = make_aux_embedding(self.settings)
        return self._aux_embedder

    @property
    def chat_model(self) -> ChatModel:
        if self._chat_model is None:
            self._chat_model = self.warm_up().result()
        return self._chat_model

    def warm_up(self) -> Future[ChatModel]:
        """Start loading the LLM in the background, so it overlaps with retrieval."""
        with self._lock:
            if self._loading is None:
                if self._chat_model is not None:
                    self._loading = Future()
                    self._loading.set_result(self._chat_model)
                else:
                    prefix = answer_messages("", [])[:-1]
                    self._loading = ThreadPoolExecutor(1, "rag-llm").submit(make_chat_model, self.settings, prefix)
            return self._loading

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            dim = len(self.embedder.get_query_embedding("dimension probe"))
            store = IndexStore.open(self.settings, build_info(self.settings, dim))
            self._retriever = Retriever(store, self.embedder, self.settings.retrieve_k, self.aux_embedder)
        return self._retriever

    def standalone(self, question: str, history: History | None) -> str:
        """Rewrite a follow-up into a question that retrieval can answer on its own."""
        if not history:
            return question
        output = self.chat_model.complete(rewrite_messages(question, history), max_tokens=80)
        return parse_rewrite(output, question)

    def retrieve(self, question: str) -> list[Passage]:
        return self.retriever.retrieve(clean_question(question, self.settings.max_question_chars))

    def stream(self, question: str, history: History | None = None) -> AnswerStream:
        """Start answering; validation errors are raised here, before any token is produced."""
        question = clean_question(question, self.settings.max_question_chars)
        self.warm_up()
        holder = AnswerStream(iter(()))
        holder._tokens = self._generate(question, history, holder)
        return holder

    def ask(self, question: str, history: History | None = None) -> Answer:
        stream = self.stream(question, history)
        for _ in stream:
            pass
        assert stream.answer is not None
        return stream.answer

    def _generate(self, question: str, history: History | None, holder: AnswerStream) -> Iterator[str]:
        start = time.perf_counter()
        timings: dict[str, float] = {}
        standalone = self.standalone(question, history)
        if history:
            timings["rewrite"] = _ms(start)
        t = time.perf_counter()
        retrieved = self.retriever.retrieve(standalone)
        passages = retrieved[: self.settings.top_k]
        timings["retrieve"] = _ms(t)
        raw: list[str] = []
        renumberer = CitationRenumberer(len(passages))
        if passages:
            t = time.perf_counter()
            for delta in self.chat_model.stream(answer_messages(standalone, passages),
                                                max_tokens=self.settings.llm_max_tokens):
                if not raw:
                    timings["first_token"] = _ms(start)
                raw.append(delta)
                shown = renumberer.feed(delta)
                if shown:
                    yield shown
            tail = renumberer.finish()
            if tail:
                yield tail
            timings["generate"] = _ms(t)
        text, abstained, citations = finalize("".join(raw), passages)
        timings["total"] = _ms(start)
        holder.answer = Answer(question=question, text=text, abstained=abstained, citations=citations,
                               retrieved=retrieved, timings_ms=timings, standalone_question=standalone)
