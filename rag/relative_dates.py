"""Dates a report gives relative to its own: "last spring", "a year ago", "l'an dernier".

A report of January 2022 says Moscow banned nine Canadian officials "last spring"; a question
asks about "spring 2021". The checks that keep answers on the year a question names
(`rag.grounding`, `rag.draft`) and the reranker (`rag.rerank`) look for the year in the passage
or its article's date, so they took that passage for another year's news: pushed down, then
withheld. Here each such expression is resolved against the article's publication date and
written after it, "last spring (spring 2021)", in the text those checks read (never in the text
a reader or the model is shown).

Only expressions that say which way and how far they point are resolved ("last", "this", "next",
"ago", and their French, German, Italian and Indonesian forms). A bare "in March" may be the
March before the report or the one after it: left alone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from rag.calendar_names import MONTHS

_MONTHS_EN = ("January February March April May June July August September October November "
              "December").split()

def _plain(word: str) -> str:
    """The word without accents ("fevrier" as a report typed without them writes "février")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


# Month names in every language `rag.calendar_names` knows, with and without accents.
_MONTH_OF = {form: n for names in MONTHS.values() for n, name in enumerate(names.split(), start=1)
             for form in (name, _plain(name))}
# English "may" is a month only as "May": "this may take weeks" is no date.
_MONTH = "(?P<month>(?-i:May)|" + "|".join(sorted(set(_MONTH_OF) - {"may"}, key=len, reverse=True)) + ")"
# Seasons by their months; winter runs from December into the next year.
_SEASON_MONTHS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
_SEASON_OF = {
    "spring": "spring", "printemps": "spring", "frühjahr": "spring", "frühling": "spring", "primavera": "spring",
    "summer": "summer", "été": "summer", "sommer": "summer", "estate": "summer",
    "autumn": "autumn", "fall": "autumn", "automne": "autumn", "herbst": "autumn", "autunno": "autumn",
    "winter": "winter", "hiver": "winter", "inverno": "winter",
}
_SEASON = "(?P<season>" + "|".join(sorted(_SEASON_OF, key=len, reverse=True)) + ")"
_COUNT = {"a": 1, "one": 1, "two": 2, "three": 3, "un": 1, "einem": 1, "zwei": 2, "satu": 1, "dua": 2, "tiga": 3}
_NUMBER = r"(?P<n>\d|a|one|two|three|un|einem|zwei|satu|dua|tiga)"

# "last" and "next" count from the report's own date; "previous", "earlier" and "before" count
# from whatever the sentence is about, so they are left alone.
_LAST = r"(?:last|dernier|dernière|passé|passée|letzte[nms]?|vergangene[nms]?|vorige[nms]?|scors[oa])"
_THIS = r"(?:this|cette|ce|diese[nms]?|quest[oa])"
_NEXT = r"(?:next|coming|prochaine?|nächste[nms]?|prossim[oa])"

Resolver = Callable[[re.Match[str], int, int], "tuple[int, int, str] | None"]  # None: not a date after all


def _years(n: int) -> Resolver:
    return lambda m, year, month: (year + n, 0, "")


def _years_ago(m: re.Match[str], year: int, month: int) -> tuple[int, int, str]:
    return year - int(_COUNT.get(m.group("n").lower(), m.group("n"))), 0, ""


def _months(n: int) -> Resolver:
    def resolve(m: re.Match[str], year: int, month: int) -> tuple[int, int, str]:
        total = year * 12 + (month - 1) + n
        return total // 12, total % 12 + 1, ""
    return resolve


def _last_month_named(m: re.Match[str], year: int, month: int) -> tuple[int, int, str]:
    """The most recent such month before the report's ("last March" in March 2022: March 2021)."""
    named = _MONTH_OF[m.group("month").lower()]
    return (year if named < month else year - 1), named, ""


def _month_before_suffix(m: re.Match[str], year: int, month: int) -> tuple[int, int, str] | None:
    """"mars dernier", "marzo scorso", "Maret lalu": the word before the suffix is matched as any
    word (an alternation of 100 month names tried at every word was a third of the module's
    time) and must be a month name here."""
    word = m.group("month")
    if word.lower() not in _MONTH_OF or word == "may":
        return None
    return _last_month_named(m, year, month)


def _this_month_named(m: re.Match[str], year: int, month: int) -> tuple[int, int, str]:
    return year, _MONTH_OF[m.group("month").lower()], ""


def _season(back: bool) -> Resolver:
    """"last spring": the most recent spring over before the report; "this spring": the report's
    year's. A winter is named by the year its January falls in."""
    def resolve(m: re.Match[str], year: int, month: int) -> tuple[int, int, str]:
        season = _SEASON_OF[m.group("season").lower()]
        last = _SEASON_MONTHS[season][1]
        if not back:
            return year, 0, season
        return (year if month > last else year - 1), 0, season
    return resolve


# (patterns, resolver): where two patterns match the same words, the first one listed wins.
_RULES_BY_RESOLVER: tuple[tuple[tuple[str, ...], Resolver], ...] = (
    ((rf"\b{_NUMBER} years? ago\b", rf"\bil y a {_NUMBER} ans?\b", rf"\bvor {_NUMBER} jahren?\b",
      rf"\b{_NUMBER} tahun lalu\b"), _years_ago),
    ((rf"\b{_LAST} {_MONTH}\b", rf"\bim (?:vergangenen|letzten) {_MONTH}\b"), _last_month_named),
    ((r"\b(?P<month>[^\W\d_]+) (?:dernier|scorso|lalu)\b",), _month_before_suffix),
    ((rf"\b{_THIS} {_MONTH}\b",), _this_month_named),
    ((rf"\b{_LAST} {_SEASON}\b", rf"\b{_SEASON} (?:dernier|passé|scorsa|scorso|lalu)\b",
      rf"\bim (?:vergangenen|letzten) {_SEASON}\b"), _season(back=True)),
    ((rf"\b{_THIS} {_SEASON}\b", r"\bcet (?P<season>été|hiver|automne)\b"), _season(back=False)),
    ((rf"\b{_LAST} year\b|\bl'(?:année|an) (?:dernière|dernier|passée|passé)\b|\b{_LAST} jahr(?:es)?\b"
      r"|\bl'anno scorso\b|\blo scorso anno\b|\btahun lalu\b",), _years(-1)),
    ((rf"\b{_THIS} year\b|\bcette année\b|\bdiese[ms] jahr(?:es)?\b|\bquest'anno\b|\btahun ini\b",), _years(0)),
    ((rf"\b{_NEXT} year\b|\bl'(?:année|an) prochaine?\b|\b{_NEXT} jahr\b|\bl'anno prossimo\b"
      r"|\bil prossimo anno\b|\btahun depan\b",), _years(1)),
    ((rf"\b{_LAST} month\b|\ble mois dernier\b|\b{_LAST} monat\b|\bil mese scorso\b|\bbulan lalu\b",), _months(-1)),
    ((rf"\b{_THIS} month\b|\bce mois-ci\b|\bdiesen monat\b|\bquesto mese\b|\bbulan ini\b",), _months(0)),
    ((rf"\b{_NEXT} month\b|\ble mois prochain\b|\b{_NEXT} monat\b|\bil mese prossimo\b|\bbulan depan\b",),
     _months(1)),
)
_RULES: tuple[tuple[re.Pattern[str], Resolver], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), resolver) for patterns, resolver in _RULES_BY_RESOLVER for pattern in patterns)


def _published(published: str) -> tuple[int, int] | None:
    found = re.match(r"(\d{4})-(\d{2})", published or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def _label(year: int, month: int, season: str) -> str:
    if season:
        return f"{season} {year}"
    return f"{_MONTHS_EN[month - 1]} {year}" if month else str(year)


@functools.lru_cache(maxsize=4096)
def _expressions(text: str, published: str) -> tuple[tuple[int, int, int, str], ...]:
    """(end offset, year, month or 0, season or "") of each relative expression in `text`. Cached:
    the reranker and each date check read the same passages again (~1 ms a passage)."""
    when = _published(published)
    if when is None or not text:
        return ()
    taken: list[tuple[int, int]] = []
    found = []
    for pattern, resolve in _RULES:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            date = resolve(match, *when)
            if date is not None:
                taken.append((match.start(), match.end()))
                found.append((match.end(), *date))
    return tuple(sorted(found))


def spoken_dates(text: str, published: str) -> set[tuple[int, int]]:
    """The (year, month or 0) each relative expression in `text` stands for, resolved against the
    report's `published` date ("YYYY-MM[-DD]"); none when that date is unknown."""
    return {(year, month) for _, year, month, _ in _expressions(text, published)}


def resolved(text: str, published: str) -> str:
    """`text` with the date each relative expression stands for written after it: "last spring
    (spring 2021)", "l'an dernier (2021)". For the checks and the reranker, not for display."""
    out, at = [], 0
    for end, year, month, season in _expressions(text, published):
        out.append(text[at:end] + f" ({_label(year, month, season)})")
        at = end
    return "".join(out) + text[at:]
