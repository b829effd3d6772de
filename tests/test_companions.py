"""The other report of the same event (a first report and its update) among the passages given."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

from rag.companions import SAME_EVENT, companion, months_around, with_companion
from rag.embeddings import E5Embedding
from rag.indexing import index_paths
from rag.retrieval import Retriever
from rag.schema import Passage
from rag.store import IndexStore
from tests.fixtures.settings import make_settings

LEDE = [1.0, 0.0]  # the best report's opening passage
SAME = [0.9, 0.2]  # cosine 0.976: the same event told again
OTHER = [0.6, 0.8]  # cosine 0.6: another story of the same days


def passage(doc: str, published: str, score: float = 0.8, chunk: int = 0) -> Passage:
    return Passage(source=doc, doc_id=doc, title=doc, outlet="Daily", language="en", published=published,
                   text=f"{doc} chunk {chunk}", score=score, chunk=chunk, content_hash="h", node_id=f"{doc}-{chunk}")


def openings(**vectors: list[float]) -> Callable[[str, str], list[float] | None]:
    return lambda doc_id, content_hash: vectors.get(doc_id)


def test_an_update_published_the_next_day_with_the_same_lede_is_the_companion() -> None:
    top = passage("first", "2025-12-09", 0.9)
    near = [passage("first", "2025-12-09", 0.88, 1), passage("other", "2025-12-10", 0.86),
            passage("update", "2025-12-10", 0.84)]
    found = companion(top, lambda month: near, openings(first=LEDE, update=SAME, other=OTHER))
    assert found is not None and found.doc_id == "update"  # not the nearer "other": another story


def test_reports_two_days_apart_or_without_a_date_have_no_companion() -> None:
    top = passage("first", "2025-12-09")
    later = [passage("update", "2025-12-11")]
    assert companion(top, lambda month: later, openings(first=LEDE, update=SAME)) is None
    assert companion(passage("first", ""), lambda month: later, openings(first=LEDE, update=SAME)) is None
    assert companion(passage("first", "2025-13-40"), lambda month: later, openings(first=LEDE, update=SAME)) is None
    # the best report's own opening is not stored (an index being rebuilt): nothing to compare
    assert companion(top, lambda month: [passage("update", "2025-12-10")], openings(update=SAME)) is None


def test_the_day_before_counts_and_a_month_edge_searches_both_months() -> None:
    top = passage("update", "2026-01-01")
    found = companion(top, lambda month: [passage("first", "2025-12-31")] if month == (2025, 12) else [],
                      openings(update=LEDE, first=SAME))
    assert found is not None and found.doc_id == "first"
    assert months_around(datetime.date(2026, 1, 1)) == [(2025, 12), (2026, 1)]
    assert months_around(datetime.date(2026, 1, 15)) == [(2026, 1)]
    assert SAME_EVENT > 0.6  # OTHER above is really another story


def test_the_companion_goes_second_unless_its_report_is_already_given() -> None:
    ranked = [passage("first", "2025-12-09", chunk=c) for c in range(4)] + [passage("update", "2025-12-10")]
    found = ranked[-1]
    order = [p.node_id for p in with_companion(ranked, found, given=4)]
    assert order == ["first-0", "update-0", "first-1", "first-2", "first-3"]  # moved up, not repeated
    mixed = [ranked[0], found, *ranked[1:4]]
    assert with_companion(mixed, found, given=4) == mixed
    assert with_companion(ranked, None, given=4) == ranked


def test_retrieval_brings_the_update_beside_the_first_report(tmp_path: Path, e5: E5Embedding) -> None:
    """Six paragraphs of the first report are nearer the question than any of the update's; the
    update (the next day, the same lede) gets the second place, an unrelated report of that day none."""
    folder = tmp_path / "articles"
    folder.mkdir()
    lede = "A Russian missile strike on Odesa killed at least 17 people, and Canada will summon Russia's ambassador."
    first = [lede] + [f"Paragraph {i}: the strike on Odesa damaged the port, officials in Odesa said."
                      for i in range(6)]
    (folder / "first.txt").write_text("Strike on Odesa\n\n" + "\n\n".join(first) + "\n")
    (folder / "update.txt").write_text(
        "Odesa toll rises\n\nA Russian missile strike on Odesa killed 24 people, up from 17; Canada summoned "
        "Russia's ambassador.\n\nCanada pledged C$18 million through the UNDP for the port.\n")
    (folder / "other.txt").write_text("Hockey final\n\nEdmonton won the hockey final in overtime on Wednesday.\n")
    (folder / "manifest.json").write_text(json.dumps({
        "first.txt": {"published": "2025-12-09"}, "update.txt": {"published": "2025-12-10"},
        "other.txt": {"published": "2025-12-10"}}))
    settings = make_settings(tmp_path, articles_dir=folder, fusion="none", chunk_size=32, chunk_overlap=0)
    index_paths(settings, embedder=e5)
    store = IndexStore.open(settings)
    question = "What did officials in Odesa say the strike on Odesa damaged?"
    plain = [p.source for p in Retriever(store, e5, 4, rerank_depth=20).retrieve(question)]
    assert plain == ["first.txt"] * 4
    given = [p.source for p in Retriever(store, e5, 4, rerank_depth=20, given=4).retrieve(question)]
    assert given[:2] == ["first.txt", "update.txt"] and "other.txt" not in given
