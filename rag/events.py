"""The summit a question names, as the subject of the report an answer cites.

Reports on one summit mention others in passing: a report on the NATO summit in Brussels says
Trudeau wanted Russia out of the G20; a report on the G7 summit in Elmau looks ahead to the NATO
summit in Madrid. The name check (`rag.grounding.missing_pins`) finds "G20" near the cited
passage and lets an answer about Brussels stand for "the G20 summit of 2022". A report *on* a
summit names it where it says what it is about: in its title or opening (dateline and first
sentence). So a question naming a summit ("the G20 summit", "au sommet du G7", "NATO-Gipfel")
needs some cited report to name that summit there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.rerank import fold

# The summit's name as questions in the articles' languages put it; group 1 is the name.
_SUMMIT_NAMED = [re.compile(p) for p in (
    r"\b([A-Z][\w-]*|[Gg]\d+)\s+[Ss]ummits?\b",                    # the G20 summit, NATO summits
    r"\b[Ss]ummits?\s+of\s+the\s+([A-Z][\w-]*|G\d+)\b",              # the summit of the G7
    r"\bsommets?\s+(?:du|de\s+l['’]|de\s+la|des)\s*([A-Z][\w-]*)",   # au sommet du G20, de l'OTAN
    r"\b(?:cumbres?|c[uú]pulas?)\s+(?:del?|do|da|de\s+la)\s+([A-Z][\w-]*)",  # la cumbre del G20, a cúpula do G20
    r"\bverti(?:ce|ci)\s+(?:del(?:la|l['’])?\s*|)([A-Z][\w-]*)",     # al vertice del G7
    r"\b([A-Z][\w]*)-(?:[Gg]ipfel|top)s?\b",                         # beim G7-Gipfel, de NAVO-top
    r"\bGipfel\s+(?:der|des)\s+([A-Z][\w-]*)",                       # beim Gipfel der G20
    r"\bKTT\s+([A-Z][\w-]*|G\d+)",                                   # di KTT G20
)]
# One body, other names: a question in English asks about NATO, a report in French names the OTAN.
_SAME_BODY = [frozenset({"nato", "otan", "navo"}), frozenset({"eu", "ue"})]
_NOT_NAMES = frozenset({"the", "a", "an", "this", "that", "next", "last", "first", "second", "third", "emergency",
                        "extraordinary", "annual", "special", "leaders"})


def summits_asked(question: str) -> list[frozenset[str]]:
    """The summits `question` names, each as the folded forms its name takes in the articles'
    languages ({"nato", "otan", "navo"}); [] when it names none."""
    found: list[frozenset[str]] = []
    for pattern in _SUMMIT_NAMED:
        for match in pattern.finditer(question):
            name = fold(match.group(1)).strip("-")
            if name in _NOT_NAMES or len(name) < 2:
                continue
            forms = next((body for body in _SAME_BODY if name in body), frozenset({name}))
            if forms not in found:
                found.append(forms)
    return found


def summit_named(forms: frozenset[str], heads: Iterable[str]) -> bool:
    """Whether one of `heads` (reports' titles and openings) names the summit in one of its
    `forms`, as a word or the part of a compound ("NATO-Gipfel", "G7-Gipfel")."""
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(f) for f in sorted(forms)) + r")(?![\w])")
    return any(pattern.search(fold(head)) for head in heads)


def summits_missing(question: str, heads: Iterable[str]) -> list[str]:
    """The summits `question` names that none of `heads` (the cited reports' titles and
    openings) names: the answer came from a report on another summit."""
    texts = list(heads)
    return [sorted(forms)[0] for forms in summits_asked(question) if not summit_named(forms, texts)]
