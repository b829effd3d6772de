"""Compound questions about two reports ("... in February 2025, and how many in June 2025?"),
split into one question per report.

Handed both halves at once, the bundled 1.5B model answers one and garbles or drops the other:
on dev, 2 of 9 such questions were answered and the rest withheld by the checks (docs/quality.md).
Split, each half gets its own retrieval, its own draft and its own checks, and the answer is
shown only when every half is answered (`Assistant`).

Only halves pinned to different dates or ordinals ("the first and the third anniversaries"), or
to different outlets ("according to the Lakeshore Times and according to the Rheinland-Echo"),
are split. Two facts from one report ("how many individuals and how many entities") are one
question for the model, and asking twice would only double the wait. English only; a question
in another language is answered whole, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.ellipsis import AUXILIARIES, DATE, DATE_SPAN, HAS_AUXILIARY, YEAR, as_question, completions

_WH = r"(?:what|which|who|whom|whose|where|when|how)\b"
_PREPOSITION = r"(?:in|on|at|by|during|for|from|after|before|over|since|until|with|to)"
# "<first>, and <second>": the second half opens with a question word (maybe after a preposition)
# or is a date ("..., and by June 2024?"). The first " and " that does so splits.
_TWO_CLAUSES = re.compile(rf"^(?P<first>.+?),?\s+and\s+(?P<second>(?:{_PREPOSITION}\s+)?{_WH}.+|{_PREPOSITION}\s+.+)$",
                          re.IGNORECASE)
_AUXILIARY = f"(?:{AUXILIARIES})"
# The subject a question names right after its auxiliary: "did Moscow ban", "was Joly speaking".
_SUBJECT = re.compile(rf"\b{_AUXILIARY}\s+(?P<name>(?:the\s+)?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)")
_SUBJECT_PRONOUN = re.compile(rf"\b(?P<aux>{_AUXILIARY})\s+(?:it|he|she|they)\b", re.IGNORECASE)

_ORDINALS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
_TWO_ORDINALS = re.compile(rf"\b(?P<the>the\s+)?(?P<one>{_ORDINALS})\s+and\s+(?:the\s+)?(?P<two>{_ORDINALS})\s+"
                           r"(?P<noun>[a-z]+)", re.IGNORECASE)
# "2022 and 2023", "2022, 2023 and 2024": two to four dates joined by "and"
_DATE_LIST = re.compile(rf"\b(?P<list>{DATE}(?:,\s+{DATE}){{0,2}},?\s+and\s+{DATE})\b")
_LIST_ITEM = re.compile(rf"{DATE}\b")


# "... according to the first report, and according to the update a day later?": one ask of two sources
_TWO_SOURCES = re.compile(r"\baccording to\b.+?\band\s+according to\b", re.IGNORECASE)


def asks_two(question: str) -> bool:
    """Whether `question` asks two things in two clauses ("How long had he been envoy, and how long
    did the meeting last?"), or one thing of two sources ("..., according to A, and according to
    B?"): an answer to one of them alone is no answer (`rag.draft`). Unheld, the first report's
    toll was shown before the update's sentence was withheld (holdout11 q012)."""
    question = question.strip()
    return _TWO_CLAUSES.match(question) is not None or _TWO_SOURCES.search(question) is not None


def two_asks(question: str) -> tuple[str, str] | None:
    """The two clauses of a question of two asks ("Which weapon hit the apartment building, | and
    which one hit the rehabilitation centre?"), or None (one ask, or two sources of one ask)."""
    found = _TWO_CLAUSES.match(question.strip())
    return (found.group("first"), found.group("second")) if found else None


def of_sources(parts: Sequence[str]) -> bool:
    """Whether the parts of a split question each ask "according to" a source of their own: then
    each must be answered from a report of its own (`rag.assistant`)."""
    return len(parts) == 2 and _different_sources(parts[0], parts[1])


def split_question(question: str) -> list[str]:
    """The questions `question` asks about different dates or events, one each; [] when it asks
    about one (or is not a form this recognises)."""
    for rule in (_two_sources, _two_clauses, _two_ordinals, _listed_dates):
        parts = rule(question.strip())
        if parts:
            return parts
    return []


def _two_clauses(question: str) -> list[str]:
    """"How many X did Canada sanction in February 2025, and how many in June 2025?" and
    "..., and in which city did she hold ... in January 2022?": the second half completed from the
    first, when the two are pinned to different dates."""
    found = _TWO_CLAUSES.match(question)
    if found is None:
        return []
    first = as_question(found.group("first"))
    second = found.group("second").strip().rstrip("?.! ")
    if not HAS_AUXILIARY.search(first):
        return []  # "How many individuals and how many entities ...": one question, two facts
    if HAS_AUXILIARY.search(second):
        whole = as_question(_named_subject(second, first))
    else:
        options = _with_phrase(second, first) or completions(f"And {second}?", first)
        if len(options) != 1:
            return []
        whole = options[0]
    if not _different_dates(first, whole) and not _different_sources(first, whole):
        return []
    return [first, whole]


_SOURCE = re.compile(r"\baccording to\s+(?P<source>[^,?]+)", re.IGNORECASE)
# An outlet or report asked "according to": up to a comma or "?", but a date's comma before its year
# is part of it ("the first report of December 15, 2026": holdout11 q012 went unsplit)
_NAMED = r"(?:[^,?]|,\s*(?=\d{4}\b))+?"
# "<body>, according to A and according to B?" and "According to A and according to B, <body>?"
_SOURCES_AFTER = re.compile(rf"^(?P<body>.+?),?\s+according to\s+(?P<a>{_NAMED}),?\s+and\s+according to\s+"
                            rf"(?P<b>{_NAMED})\s*[?.!]*$", re.IGNORECASE)
_SOURCES_BEFORE = re.compile(rf"^according to\s+(?P<a>{_NAMED}),?\s+and\s+according to\s+(?P<b>{_NAMED}),"
                             r"(?!\s*\d{4}\b)\s*(?P<body>.+)$", re.IGNORECASE)


def _two_sources(question: str) -> list[str]:
    """"How many people of Ukrainian descent live in Canada, according to the Lakeshore Times and
    according to the Rheinland-Echo?" -> one question per outlet. Handed both reports at once, the
    model answered the first and gave another fact of the second report for the second (dev d108-d111)."""
    after = _SOURCES_AFTER.match(question)
    if after is not None:
        body = after.group("body").strip()
        return [as_question(f"{body}, according to {after.group(which).strip()}") for which in ("a", "b")]
    before = _SOURCES_BEFORE.match(question)
    if before is not None:
        body = before.group("body").strip()
        return [as_question(f"According to {before.group(which).strip()}, {body}") for which in ("a", "b")]
    return []


def _different_sources(first: str, second: str) -> bool:
    """Whether two halves each name the outlet or person they ask "according to", and not the same one."""
    one, two = _SOURCE.search(first), _SOURCE.search(second)
    return one is not None and two is not None and one.group("source").lower() != two.group("source").lower()


def _named_subject(clause: str, first: str) -> str:
    """"did it bar" -> "did Moscow bar" when the first half asked what Moscow did."""
    subject = _SUBJECT.search(first)
    if subject is None:
        return clause
    return _SUBJECT_PRONOUN.sub(lambda m: f"{m.group('aux')} {subject.group('name')}", clause, count=1)


def _different_dates(first: str, second: str) -> bool:
    one = {m.group(0).lower() for m in DATE_SPAN.finditer(first)}
    two = {m.group(0).lower() for m in DATE_SPAN.finditer(second)}
    return bool(one) and bool(two) and one != two


def _two_ordinals(question: str) -> list[str]:
    """"In which cities did Trudeau mark the first and the third anniversaries of ...?" -> one
    question per anniversary."""
    found = _TWO_ORDINALS.search(question)
    if found is None:
        return []
    noun = _singular(found.group("noun"))
    the = found.group("the") or ""
    return [as_question(question[:found.start()] + f"{the}{found.group(which)} {noun}" + question[found.end():])
            for which in ("one", "two")]


def _listed_dates(question: str) -> list[str]:
    """"... at the G7 summits of 2022 and 2023?" -> one question per year, and "of 2022, 2023 and
    2024" one per each of the three; "in February and March 2022" lends the year to the months."""
    found = _DATE_LIST.search(question)
    if found is None:
        return []
    dates = [m.group(0) for m in _LIST_ITEM.finditer(found.group("list"))]
    year = YEAR.search(dates[-1])
    if year:
        dates = [date if YEAR.search(date) else f"{date} {year.group(0)}" for date in dates]
    return [as_question(question[:found.start()] + date + question[found.end():]) for date in dates]


_PHRASE_HEAD = re.compile(rf"^(?P<head>{_WH}(?:\s+(?:many|much|long|far|often|old))?)\s+(?P<rest>{_PREPOSITION}\s.+)$",
                          re.IGNORECASE)
_OPENING_PREPOSITION = re.compile(rf"^(?P<prep>{_PREPOSITION})\s", re.IGNORECASE)


def _with_phrase(second: str, first: str) -> list[str]:
    """"How many vessels did Canada sanction at the G7 summit in Apulia in 2024 | and at the G7
    summit in Kananaskis in 2025" and "... on Ukraine's Independence Day in 2024 | and how many on
    Independence Day in 2025": the second half's dated phrase in place of the first half's, from
    the same preposition before the first half's last date to its end. [] unless exactly that can be done."""
    head = _PHRASE_HEAD.match(second)
    if head is not None and not first.lower().startswith(head.group("head").lower()):
        return []  # "and where in 2023": another question, not the same one about another date
    phrase = head.group("rest") if head is not None else second
    opening = _OPENING_PREPOSITION.match(phrase)
    dates = list(DATE_SPAN.finditer(first))
    if opening is None or not dates or not DATE_SPAN.search(phrase):
        return []
    last = dates[-1]
    auxiliary = HAS_AUXILIARY.search(first)
    if auxiliary is None:
        return []
    starts = [m.start() for m in re.finditer(rf"\b{opening.group('prep')}\s", first[:last.start() + 1], re.IGNORECASE)
              if m.start() > auxiliary.end()]
    if not starts or _SOURCE.search(first[last.end():]):
        return []  # "... in 2024 according to the Herald": the outlet would be lost
    return [as_question(first[:starts[-1]] + phrase)]


def _singular(noun: str) -> str:
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun
