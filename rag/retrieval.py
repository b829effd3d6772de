"""From a question to the passages most likely to answer it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from llama_index.core.embeddings import BaseEmbedding

from rag.store import Hit, IndexStore


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with everything a reader needs to check a citation against it."""

    source: str
    doc_id: str
    title: str
    outlet: str
    language: str
    published: str
    text: str
    score: float
    chunk: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def passage_from_hit(hit: Hit) -> Passage:
    meta = hit.node.metadata
    return Passage(
        source=str(meta.get("source", "")),
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        outlet=str(meta.get("outlet", "")),
        language=str(meta.get("language", "")),
        published=str(meta.get("published", "")),
        text=hit.node.text,
        score=hit.score,
        chunk=int(meta.get("chunk", 0)),
    )


class Retriever:
    """Dense retrieval over the Chroma store with the index's own embedding model."""

    def __init__(self, store: IndexStore, embedder: BaseEmbedding, top_k: int) -> None:
        self.store = store
        self.embedder = embedder
        self.top_k = top_k

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        embedding = self.embedder.get_query_embedding(question)
        hits = self.store.query(embedding, k or self.top_k)
        return [passage_from_hit(h) for h in hits]
