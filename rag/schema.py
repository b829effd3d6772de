"""The types every part of the engine shares, in one place, with no dependencies of their own:
a passage, an answer and its citations, an article, an indexed document, an indexing report."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


def chunk_id(doc_id: str, content_hash: str, chunk: int) -> str:
    """The stable id of one chunk of one version of an article: the same text gets the same id
    on every run (so re-indexing is idempotent), and a reader can name a passage's node, or its
    neighbours, without a metadata search (the LlamaIndex adapters do, for
    `NodeWithScore.node.node_id`; widening fetches neighbours by id)."""
    return hashlib.sha256(f"{doc_id}\x00{content_hash}\x00{chunk}".encode()).hexdigest()[:32]


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
    content_hash: str = ""
    translation: str = ""  # the text translated (into the index's or the question's language) for the model
    node_id: str = ""  # the chunk's id in the index
    chunks: int = 0  # how many chunks its article has (0: unknown)


@dataclass(frozen=True)
class Token:
    """A piece of streamed model text and, when the server reports it, the model's log-probability
    of it: how sure the model was of what it wrote (`rag.confidence`)."""

    text: str
    logprob: float | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    passage: Passage

    def to_dict(self) -> dict[str, Any]:
        p = self.passage
        out = {"n": self.n, "source": p.source, "title": p.title, "outlet": p.outlet, "published": p.published,
               "language": p.language, "text": p.text, "score": p.score}
        if p.translation:
            out["translation"] = p.translation
        return out


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    draft: str = ""  # the model's own text, before any check (for evaluation; not in the JSON contract)
    given: list[Passage] = field(default_factory=list)  # the passages the model read, as it read them
    held_back: list[str] = field(default_factory=list)  # why sentences or the answer were not shown (evaluation)
    certainty: float | None = None  # mean log-probability of the draft's least sure words (`rag.confidence`)

    def to_dict(self) -> dict[str, Any]:
        """The `rag ask --json` contract."""
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [{"source": p.source, "score": p.score, "text": p.text} for p in self.retrieved],
            "timings_ms": self.timings_ms,
            "question": self.question,
            "standalone_question": self.standalone_question,
        }


@dataclass(frozen=True)
class Article:
    """One article, ready to chunk. `doc_id` is its path relative to the folder it came from."""

    doc_id: str
    source: str
    text: str
    content_hash: str
    title: str = ""
    outlet: str = ""
    language: str = ""
    published: str = ""
    path: str = ""
    relpath: str = ""  # path inside the folder it was found in; the doc_id unless that is taken

    def metadata(self) -> dict[str, str]:
        return {
            "doc_id": self.doc_id,
            "relpath": self.relpath or self.doc_id,
            "source": self.source,
            "title": self.title,
            "outlet": self.outlet,
            "language": self.language,
            "published": self.published,
            "content_hash": self.content_hash,
        }


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    source: str
    title: str
    outlet: str
    language: str
    published: str
    content_hash: str
    chunks: int
    complete: bool = True  # all of the article's chunks are present (a killed run may leave fewer)
    other_hashes: tuple[str, ...] = ()  # older versions still present (a run killed mid-update)
    root: str = ""  # the folder it was indexed from
    relpath: str = ""  # its path inside that folder (the doc_id, unless that was taken by another folder)


@dataclass
class IndexReport:
    """What a `rag index` run did; printed as a table or as `--json`."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    translated: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_translated: int = 0
    translation_seconds: float = 0.0
    chunks_total: int = 0
    articles_total: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
