"""The LlamaIndex face of the engine: a retriever, a query engine and a chat engine over an `Assistant`.

An app built on LlamaIndex composes these with its own parts (tools, routers, evaluators, agents)
and still gets what makes this engine worth embedding: fused, re-ranked, widened passages, and
answers whose every citation was checked against the passage it names, or an honest abstention.
Nothing here retrieves or generates on its own; each adapter translates one call to the Assistant
and its result into LlamaIndex's types, so the two can never disagree.

    bot = Assistant()
    nodes = bot.as_retriever().retrieve("Who is Russia's ambassador to Canada?")
    response = bot.as_query_engine().query("What did he say about sanctions?")
    response.source_nodes, response.metadata["citations"]
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncGenerator, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.base.response.schema import RESPONSE_TYPE, AsyncStreamingResponse, Response, StreamingResponse
from llama_index.core.chat_engine.types import AgentChatResponse, BaseChatEngine, StreamingAgentChatResponse
from llama_index.core.prompts.mixin import PromptDictType, PromptMixinType
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from rag.schema import Answer, Passage, chunk_id

if TYPE_CHECKING:
    from rag.assistant import AnswerStream, Assistant

__all__ = ["AssistantChatEngine", "AssistantQueryEngine", "AssistantRetriever", "answer_metadata", "node_of"]

# Bookkeeping a reader of the passage has no use for: kept in the metadata for apps, but out of
# the text LlamaIndex hands an LLM or an embedding model (`get_content(MetadataMode.LLM)`).
_HIDDEN_KEYS = ["doc_id", "chunk", "content_hash", "language", "citation"]


def node_of(passage: Passage, citation: int | None = None) -> NodeWithScore:
    """A passage as LlamaIndex's `NodeWithScore`. The node id is the indexed chunk's own id (also
    for a widened passage: that of the chunk it was found by), so evaluators can match it."""
    metadata: dict[str, Any] = {"source": passage.source, "title": passage.title, "outlet": passage.outlet,
                                "published": passage.published, "language": passage.language,
                                "chunk": passage.chunk, "doc_id": passage.doc_id,
                                "content_hash": passage.content_hash}
    if passage.translation:
        metadata["translation"] = passage.translation
    if citation is not None:
        metadata["citation"] = citation
    node_id = passage.node_id or chunk_id(passage.doc_id, passage.content_hash, passage.chunk)
    node = TextNode(id_=node_id, text=passage.text,
                    metadata=metadata, excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
                    excluded_embed_metadata_keys=[*_HIDDEN_KEYS, "translation"])
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=passage.doc_id)
    return NodeWithScore(node=node, score=passage.score)


def cited_nodes(answer: Answer) -> list[NodeWithScore]:
    """The passages the answer cites, in citation order; none for an abstention."""
    return [node_of(c.passage, c.n) for c in answer.citations]


def answer_metadata(answer: Answer) -> dict[str, Any]:
    """What a `Response` carries beside its text: whether the engine abstained, the citations
    (the `rag ask --json` shape, `[n]` as in the text) and where the time went."""
    return {"abstained": answer.abstained, "citations": [c.to_dict() for c in answer.citations],
            "timings_ms": dict(answer.timings_ms), "question": answer.question,
            "standalone_question": answer.standalone_question}


class AssistantRetriever(BaseRetriever):
    """The engine's retrieval (dense, fused with the second model, re-ranked by the dates and outlet
    a question names, the best passages widened) as a LlamaIndex retriever."""

    def __init__(self, assistant: Assistant, similarity_top_k: int | None = None) -> None:
        super().__init__()
        self._assistant = assistant
        self.similarity_top_k = similarity_top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self._assistant.passages(query_bundle.query_str, self.similarity_top_k)
        return [node_of(p) for p in passages]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        # Embedding and the store are blocking: off the event loop, so other requests go on.
        return await asyncio.to_thread(self._retrieve, query_bundle)


class AssistantQueryEngine(BaseQueryEngine):
    """Checked, cited answers as a LlamaIndex query engine: `Response.response` is the answer text
    (with its `[n]` markers), `source_nodes` the cited passages, `metadata` the rest (see
    `answer_metadata`). With `streaming=True`, `query` returns a `StreamingResponse` whose tokens are
    exactly what the engine releases; its source nodes and metadata are set once they are all read."""

    def __init__(self, assistant: Assistant, *, streaming: bool = False) -> None:
        super().__init__(callback_manager=None)
        self._assistant = assistant
        self.streaming = streaming

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}  # the engine's prompts are fixed: its citation checks are written against them

    def _get_prompts(self) -> PromptDictType:
        return {}

    def _query(self, query_bundle: QueryBundle) -> RESPONSE_TYPE:
        if not self.streaming:
            answer = self._assistant.ask(query_bundle.query_str)
            return Response(answer.text, cited_nodes(answer), answer_metadata(answer))
        stream = self._assistant.stream(query_bundle.query_str)  # a bad question is refused here
        response = StreamingResponse(response_gen=_no_tokens())
        response.response_gen = _streamed(stream, weakref.ref(response))
        return response

    async def _aquery(self, query_bundle: QueryBundle) -> RESPONSE_TYPE:
        if not self.streaming:
            answer = await asyncio.to_thread(self._assistant.ask, query_bundle.query_str)
            return Response(answer.text, cited_nodes(answer), answer_metadata(answer))
        stream = await asyncio.to_thread(self._assistant.stream, query_bundle.query_str)
        response = AsyncStreamingResponse(response_gen=_nothing())
        response.response_gen = _astreamed(stream, weakref.ref(response))
        return response


def _streamed(stream: AnswerStream, response: weakref.ref[StreamingResponse]) -> Generator[str, None, None]:
    """The answer's tokens; at the end, the cited passages and metadata go into the response. A weak
    reference, so a response its reader drops is freed (and its LLM call closed) at once."""
    with stream:
        yield from stream
    _finish(stream, response())


async def _astreamed(stream: AnswerStream,
                     response: weakref.ref[AsyncStreamingResponse]) -> AsyncGenerator[str, None]:
    """`_streamed` for asyncio: each token is waited for in a worker thread, not on the event loop."""
    with stream:
        async for token in _in_thread(iter(stream)):
            yield token
    _finish(stream, response())


def _finish(stream: AnswerStream, response: StreamingResponse | AsyncStreamingResponse | None) -> None:
    if response is not None and stream.answer is not None:
        response.source_nodes = cited_nodes(stream.answer)
        response.metadata = answer_metadata(stream.answer)


def _no_tokens() -> Generator[str, None, None]:
    yield from ()  # a placeholder until the response's own generator (which refers to it) exists


async def _nothing() -> AsyncGenerator[str, None]:
    return
    yield  # pragma: no cover - makes this an async generator


_END = object()
T = TypeVar("T")


async def _in_thread(items: Iterator[T]) -> AsyncGenerator[T, None]:
    """Items of a blocking iterator, each fetched in a worker thread."""
    while True:
        item = await asyncio.to_thread(next, items, _END)
        if item is _END:
            return
        yield cast(T, item)


class AssistantChatEngine(BaseChatEngine):
    """A conversation as a LlamaIndex chat engine. It keeps the history (user questions and the
    engine's checked answers) and passes it with each message, so the Assistant can rewrite a
    follow-up ("what did he say?") into a question retrieval can answer alone. A streamed reply is
    added to the history when its last token has been read."""

    def __init__(self, assistant: Assistant, chat_history: Sequence[ChatMessage] | None = None) -> None:
        self._assistant = assistant
        self._history: list[ChatMessage] = list(chat_history or [])

    @property
    def chat_history(self) -> list[ChatMessage]:
        return list(self._history)

    def reset(self) -> None:
        self._history = []

    def _turns(self, chat_history: Sequence[ChatMessage] | None) -> list[dict[str, str]]:
        """The history in the Assistant's shape; a given `chat_history` replaces the kept one, as in
        LlamaIndex's own engines. System and tool messages are not turns of the conversation."""
        if chat_history is not None:
            self._history = list(chat_history)
        return [{"role": m.role.value, "content": m.content or ""} for m in self._history
                if m.role in (MessageRole.USER, MessageRole.ASSISTANT)]

    def _remember(self, message: str, answer: Answer) -> None:
        self._history += [ChatMessage(role=MessageRole.USER, content=message),
                          ChatMessage(role=MessageRole.ASSISTANT, content=answer.text)]

    def chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AgentChatResponse:
        answer = self._assistant.ask(message, history=self._turns(chat_history) or None)
        self._remember(message, answer)
        return AgentChatResponse(response=answer.text, source_nodes=cited_nodes(answer),
                                 metadata=answer_metadata(answer))

    def stream_chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> StreamingAgentChatResponse:
        stream = self._assistant.stream(message, history=self._turns(chat_history) or None)
        response = StreamingAgentChatResponse(is_writing_to_memory=False)
        response.chat_stream = self._replies(message, stream, weakref.ref(response))
        return response

    def _replies(self, message: str, stream: AnswerStream,
                 response: weakref.ref[StreamingAgentChatResponse]) -> Generator[ChatResponse, None, None]:
        """The answer as LlamaIndex chat deltas; once complete, it joins the history."""
        text = ""
        with stream:
            for token in stream:
                text += token
                yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=token)
        self._settle(message, stream, response())

    def _settle(self, message: str, stream: AnswerStream, response: StreamingAgentChatResponse | None) -> None:
        if stream.answer is None:
            return
        self._remember(message, stream.answer)
        if response is not None:
            response.source_nodes = cited_nodes(stream.answer)

    async def achat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AgentChatResponse:
        return await asyncio.to_thread(self.chat, message, chat_history)

    async def astream_chat(self, message: str,
                           chat_history: list[ChatMessage] | None = None) -> StreamingAgentChatResponse:
        history = self._turns(chat_history) or None
        stream = await asyncio.to_thread(self._assistant.stream, message, history)
        response = StreamingAgentChatResponse(is_writing_to_memory=False)
        response.achat_stream = _in_thread(self._replies(message, stream, weakref.ref(response)))
        return response
