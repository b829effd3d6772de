"""The types every part of the engine shares, in one place, with no dependencies of their own."""

from __future__ import annotations

from dataclasses import dataclass


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
