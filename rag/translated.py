"""The companion collection of translated passages, beside an index generation's chunks.

Each translation has the id and metadata of the chunk it translates, plus the language it is in,
so a hit on a translation is a hit on its original, a new version of an article drops both with
the same filter, and `rag index` can tell which chunks still lack a translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.schema import TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.vectors import Hit, chunk_texts_by_id, metadata_pages, nearest


class TranslationStore:
    """Translated chunks in their own Chroma collection, queried like the chunks themselves."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.vector_store = ChromaVectorStore(chroma_collection=collection)

    def count(self) -> int:
        return int(self.collection.count())

    def add(self, nodes: Sequence[TextNode]) -> None:
        """Write translated chunks (embedded already); a chunk translated before is replaced."""
        if nodes:
            self.vector_store.add(list(nodes))

    def delete_where(self, where: dict[str, Any]) -> None:
        self.collection.delete(where=where)

    def query(self, embedding: list[float], k: int, published: tuple[int, int] | None = None,
              since: int | None = None) -> list[Hit]:
        """The `k` nearest translations (of articles published then, as `IndexStore.query`); their
        node ids are those of the chunks they translate, and they carry those chunks' metadata."""
        return nearest(self.vector_store, embedding, k, published, since)

    def texts(self, ids: Sequence[str], language: str) -> dict[str, str]:
        """The translations into `language` of the chunks with these ids (those that have one)."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {node_id: text or "" for node_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"],
                                                                   strict=True)
                if (meta or {}).get("translated_to") == language}

    def chunk_texts(self, doc_id: str, content_hash: str, chunks: Sequence[int], language: str) -> dict[int, str]:
        """Translations of the given chunk numbers of one version of an article (by id, as
        `IndexStore.chunk_texts`: a translation has the id of the chunk it translates)."""
        return chunk_texts_by_id(self.collection, doc_id, content_hash, chunks,
                                 lambda meta: meta.get("translated_to") == language)

    def counts(self, language: str) -> dict[tuple[str, str], int]:
        """How many chunks of each article version have a translation into `language`."""
        out: dict[tuple[str, str], int] = {}
        for meta in metadata_pages(self.collection, {"translated_to": language}):
            key = (str(meta.get("doc_id", "")), str(meta.get("content_hash", "")))
            out[key] = out.get(key, 0) + 1
        return out
