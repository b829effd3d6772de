"""Reranking by what a question pins down: dates, outlets and "latest", against article metadata.

Near-duplicate reports (a sanctions round in 2022, another in 2023, another in 2024) have
passages that embed almost alike; what tells them apart is usually not in the passage but in its
article's metadata: the published date and the outlet. Dense retrieval cannot see those, so the
fused candidates are re-scored here: a passage whose article matches the question's month or year
or names its outlet moves up (the report of the very day a question names, ahead of the day
before's: a first report and its update differ by a day), one from another year moves down, and
"the most recent" favours the newer reports. Nothing is filtered out: a retrospective article
("since 2014") can still win on its text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rag.calendar_names import MONTHS as CALENDAR_MONTHS
from rag.relative_dates import resolved
from rag.schema import Passage


def fold(text: str) -> str:
    """Lower case without accents, so "février" and "fevrier" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Month names in the languages the articles and questions come in (CLDR's, `rag.calendar_names`),
# folded, and the English abbreviations
_ABBREVIATED = {1: "jan", 2: "feb", 3: "mar", 4: "apr", 6: "jun", 7: "jul", 8: "aug", 9: "sep sept", 10: "oct",
                11: "nov", 12: "dec"}
MONTHS = {n: " ".join(sorted({fold(names.split()[n - 1]) for names in CALENDAR_MONTHS.values()}
                             | set(_ABBREVIATED.get(n, "").split()))) for n in range(1, 13)}
MONTH_OF = {name: number for number, names in MONTHS.items() for name in names.split()}
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_WORD = re.compile(r"[a-z]+")
_LATEST = re.compile(r"\b(?:most recent|latest|newest|last|recently|dernier|derniere|plus recent|neueste|"
                     r"letzte|ultim[oa]|piu recente|terbaru|terakhir|mais recente|laatste|nieuwste|meest recente?"
                     r"|ultimul|ultima|cel mai recent|cea mai recenta|senaste)\b")

DAY_BONUS = 0.06
MONTH_BONUS = 0.10
YEAR_BONUS = 0.06
OTHER_YEAR_PENALTY = 0.05
OUTLET_BONUS = 0.08
LATEST_BONUS = 0.06
RANK_OFFSET = 5  # base score 1 / (RANK_OFFSET + rank): the fused order, before any bonus


@dataclass(frozen=True)
class Pins:
    """What a question pins down: (year, month or 0) pairs, whole days, outlet words, "the latest"."""

    dates: frozenset[tuple[int, int]]
    latest: bool
    text: str
    days: frozenset[tuple[int, int, int]] = frozenset()

    @property
    def years(self) -> set[int]:
        return {year for year, _ in self.dates}


def pins(question: str) -> Pins:
    """The dates (a month counts when it stands next to a year) and "latest" a question names."""
    text = fold(question)
    dates: set[tuple[int, int]] = set()
    for match in _YEAR.finditer(text):
        before = _WORD.findall(text[max(0, match.start() - 16):match.start()])
        # the word right before the year ("May 2023", "21 mai 2023") may be short; one further
        # back must be a full month name, not the modal "may"
        near = [(w, i == 0) for i, w in enumerate(reversed(before[-2:]))]
        month = next((MONTH_OF[w] for w, last in near if w in MONTH_OF and (last or len(w) > 3)), 0)
        dates.add((int(match.group(1)), month))
    return Pins(frozenset(dates), asks_latest(text), text, days_named(text))


_LAST_NOT_LATEST = re.compile(r"\bhow long\b|\blast\b.*\bbefore\b")


def asks_latest(text: str) -> bool:
    """Whether a (folded) question asks for the newest report. Not "how long did the meeting
    last" (the verb), nor "the last tranche before January 2023" (the newest before a date the
    question gives, which the date pins)."""
    found = {m.group(0) for m in _LATEST.finditer(text)}
    if found == {"last"} and _LAST_NOT_LATEST.search(text):
        return False
    return bool(found)


# "29 de agosto de 2025" in Spanish and Portuguese
_DAY_MONTH_YEAR = re.compile(r"\b([0-3]?\d)(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?([a-z]+)\.?,?\s+(?:de\s+)?"
                             r"(19[5-9]\d|20\d\d)\b")
_MONTH_DAY_YEAR = re.compile(r"\b([a-z]+)\.?\s+([0-3]?\d)(?:st|nd|rd|th)?,?\s+(19[5-9]\d|20\d\d)\b")
_ISO_DAY = re.compile(r"\b(19[5-9]\d|20\d\d)-([01]\d)-([0-3]\d)\b")


def days_named(text: str) -> frozenset[tuple[int, int, int]]:
    """Whole dates in a (folded) question: "August 29, 2025", "29 août 2025", "29. August 2025",
    "2025-08-29", as (year, month, day)."""
    found = {(int(y), MONTH_OF[m], int(d)) for d, m, y in _DAY_MONTH_YEAR.findall(text) if m in MONTH_OF}
    found |= {(int(y), MONTH_OF[m], int(d)) for m, d, y in _MONTH_DAY_YEAR.findall(text) if m in MONTH_OF}
    found |= {(int(y), int(m), int(d)) for y, m, d in _ISO_DAY.findall(text)}
    return frozenset(day for day in found if 1 <= day[1] <= 12 and 1 <= day[2] <= 31)


def published(passage: Passage) -> tuple[int, int] | None:
    """(year, month or 0) of the passage's article, from its metadata."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?", passage.published or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def published_day(passage: Passage) -> tuple[int, int, int] | None:
    """(year, month, day) of the passage's article when its metadata gives the day."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", passage.published or "")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def outlet_named(passage: Passage, question_text: str) -> bool:
    """Whether the question names the passage's outlet ("according to Sputnik", "CTV")."""
    words = [w for w in _WORD.findall(fold(passage.outlet)) if len(w) >= 3 and w not in ("the", "news", "from")]
    return bool(words) and all(re.search(rf"\b{re.escape(w)}\b", question_text) for w in words[:2])


def bonus(passage: Passage, question: Pins, newest: int) -> float:
    score = 0.0
    when = published(passage)
    if question.dates and when is not None:
        year, month = when
        if (year, month) in question.dates and month:
            score += MONTH_BONUS
        elif year in question.years:
            score += YEAR_BONUS
        elif not any(str(y) in resolved(passage.text, passage.published) for y in question.years):
            score -= OTHER_YEAR_PENALTY
    if question.days and published_day(passage) in question.days:
        score += DAY_BONUS  # the report of that very day, not the one of the day before
    if question.latest and when is not None and newest:
        score += LATEST_BONUS * max(0.0, 1 - (newest - when[0]) / 4)
    if passage.outlet and outlet_named(passage, question.text):
        score += OUTLET_BONUS
    return score


def rerank(question: str, passages: Sequence[Passage]) -> list[Passage]:
    """`passages` (best first) re-ordered by their fused rank plus what the metadata says; their
    scores (the embedding similarity a reader sees) are left as they are."""
    asked = pins(question)
    years = [when[0] for p in passages if (when := published(p)) is not None]
    newest = max(years, default=0)
    bonuses = [bonus(p, asked, newest) for p in passages]
    if not any(bonuses):
        return list(passages)  # nothing pinned down: the fused order stands
    order = sorted(range(len(passages)), key=lambda i: 1 / (RANK_OFFSET + i) + bonuses[i], reverse=True)
    return [passages[i] for i in order]
