"""Figures a report gives as replaced by newer ones: "raised to 63 from 48", "up from 14".

An update to a news story keeps the old count beside the new one ("the number of injured was
raised to 63 from 48", "updated from the earlier count of 14 dead"). Every number check passes
an answer of "48": the number is in the cited passage, beside the asked noun, in the right report.
But the report says 48 is what it was, not what it is. An answer that gives such a figure as the
fact (and not itself as the old one: "rose to 63 from 48" is fine) is withheld, unless the
question asks for the earlier figure ("initially", "the first count", "avant la mise à jour").

Read in the languages of the articles: English's "from", and the "von 14 auf 23", "van 14 naar
23", "dari 14 menjadi 23" of German, Dutch and Indonesian; French, Spanish, Italian and
Portuguese "de 14 à 23" only after a verb of change (without one it is a range). A year is never
judged ("grew from 2014 to 2022" is a span).

The other way round: a question asking for the *final* figure ("the final death toll once the
search was over") is not answered by an update's "risen to 40 ... 34 still missing". Its number
must come from a report that gives a figure as final (`final_unbacked`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.grounding import NUMBER, numbers
from rag.rerank import fold

_APPROX = (r"(?:(?:about|some|around|nearly|almost|at least|more than|over|an?|environ|etwa|rund|unos|circa|sekitar"
           r"|ongeveer) )?(?:[$€£]|[a-z]{1,2}\$)?")
# A change of a figure, in the languages of the articles (folded: no accents)
_CHANGE = (r"(?:up|down|rose|risen|raised|increased|revised|climbed|jumped|grew|fell|dropped|updated|corrected"
           r"|lowered|went|changed|swelled|soared|reduced|cut|passe|passee|porte|portee|releve|relevee|revu|revise"
           r"|revisee|grimpe|monte|augmente|paso|subio"
           r"|aumento|elevado|elevo|corregido|passato|salito|aumentato|rivisto|subiu|passou|aumentou|revisto)")
# (text just before the figure, text just after it): either both match, or the pair's second is ""
_SUPERSEDED = tuple((re.compile(before + _APPROX + "$"), re.compile(after) if after else None) for before, after in (
    (rf"\b{_CHANGE}\b[^.;:]{{0,40}}?\bfrom ", ""),  # "raised to 63 from 48", "up from 14", "rose from 14 to 23"
    (r"\b(?:earlier|previous|preliminary|initial|original|old|first) (?:\w+ )?(?:count|toll|figure|tally|estimate"
     r"|total|number) (?:of|was|stood at|had been|had stood at) ", ""),  # "the earlier count of 14 dead"
    (r"\bvon ", r"^\s*(?:[^\W\d_]+\s+){0,2}auf\s+\d"),  # "von 14 Toten auf 23"
    (r"\bvan ", r"^\s*(?:[^\W\d_]+\s+){0,2}naar\s+\d"),
    (r"\bdari ", r"^\s*(?:[^\W\d_]+\s+){0,2}(?:menjadi|ke)\s+\d"),
    # "passé de 14 à 23"
    (rf"\b{_CHANGE}\b[^.;:]{{0,40}}?\b(?:de|da|d') ?", r"^\s*(?:[^\W\d_]+\s+){0,2}(?:a|à)\s+\d"),
    (r"\bcontre ", r"^\s*(?:[^\W\d_]+\s+){0,2}(?:auparavant|precedemment|initialement|la veille|hier)"),
))
# A question about the earlier figure: the old one is then its answer
_ASKS_EARLIER = re.compile(
    r"\b(?:initial(?:ly)?|earlier|previous(?:ly)?|original(?:ly)?|preliminary|at first|first (?:count|toll|figure"
    r"|report(?:ed)?|estimate|tally)|before (?:the|it was|being) (?:update|revis|rais|correct)\w*|premier bilan"
    r"|bilan initial|initialement|auparavant|zunachst|ursprunglich|vorlaufig|inicial(?:mente)?|preliminar"
    r"|primer (?:balance|recuento)|iniziale|inizialmente|awal(?:nya)?|semula|sementara|aanvankelijk|oorspronkelijk"
    r"|eerste (?:telling|balans))\b")


# A question about a figure once counting had ended, in the languages of the articles (folded)
_ASKS_FINAL = re.compile(
    r"\bfinal (?:\w+ ){0,2}(?:toll|count|tally|figure|number|total|bilan)\b"
    r"|\b(?:once|after|when) (?:the )?(?:search|rescue|recovery)(?: \w+)? (?:was|had been|were) "
    r"(?:over|ended|complete|completed|finished|called off)\b"
    r"|\bbilan (?:final|definitif)\b|\bendgultige[nrs]? (?:bilanz|zahl|opferzahl)\b"
    r"|\b(?:balance|cifra|recuento|bilancio) (?:final|definitiv[oa])\b|\bjumlah (?:korban )?akhir\b")
# A report giving a figure as final: "the final toll", "after the search ended", "bilan définitif"
_SAYS_FINAL = re.compile(
    r"\bfinal\b|\bdefiniti(?:ve|f|vo|va)\b|\bendgultig\w*"
    r"|\b(?:search|rescue|recovery)(?: \w+){0,3} (?:ended|was over|was completed|was called off|concluded"
    r"|finished)\b")


# A question about a figure after it was updated: "the updated death toll", "the revised count". Not
# "the latest toll": where only a first report exists, its preliminary count is the latest one.
_ASKS_UPDATED = re.compile(
    r"\b(?:updated|revised) (?:\w+ ){0,2}"
    r"(?:toll|count|figure|tally|number|total|bilan)\b"
    r"|\bbilan (?:actualise|revu|mis a jour)|\baktualisierte[nrs]? (?:\w+ )?(?:bilanz|zahl|opferzahl)"
    r"|\b(?:balance|cifra|recuento|bilancio|balanco) (?:actualizad[oa]|aggiornat[oa]|atualizad[oa])")
# A report giving its figure as preliminary, in the languages of the articles (folded)
_PRELIMINARY = re.compile(r"\b(?:preliminary|preliminar[ey]?|preliminaire|provisoire|provisional|provvisori[oa]"
                          r"|vorlaufige?[nrs]?|voorlopige?|wstepn\w*|попередн\w*|initial (?:count|toll|figure))\b")
# ... and one telling of an update: "updated", "up from", "has risen to"
_UPDATE = re.compile(r"\b(?:updated|revised|risen|rose|climbed|up from|actualis\w*|aktualisiert\w*|actualizad\w*"
                     r"|aggiornat\w*|atualizad\w*|bijgewerkt\w*|actualizat\w*|gestiegen|passe de)\b")


def asks_updated(question: str) -> bool:
    """Whether the question asks for a figure as an update gave it ("the updated death toll")."""
    return bool(_ASKS_UPDATED.search(fold(question)))


def only_preliminary(backing: Sequence[str]) -> bool:
    """Whether the `backing` passages (a claim's cited texts, translations included) call their
    figure preliminary and tell of no update: the first report of an event answers "the first
    count", not "the updated toll" (holdout6 y017: "at least 26 ... The figure is a preliminary
    count", while the update a day later gave 31)."""
    folded = [fold(text) for text in backing]
    return any(_PRELIMINARY.search(text) for text in folded) and not any(_UPDATE.search(text) for text in folded)


def asks_final(question: str) -> bool:
    """Whether the question asks for a figure as it stood when counting had ended."""
    return bool(_ASKS_FINAL.search(fold(question)))


def final_unbacked(backing: Sequence[str]) -> bool:
    """Whether none of the `backing` passages (a claim's cited texts, translations included)
    gives any figure as final: an update's "has risen to 40" answers "the latest", not "the final"."""
    return not any(_SAYS_FINAL.search(fold(text)) for text in backing)


def _figures(text: str) -> list[tuple[str, bool]]:
    """Each number of `text` (normalised as by `numbers`), and whether it is given as replaced."""
    folded = fold(text)
    found: list[tuple[str, bool]] = []
    for match in NUMBER.finditer(folded):
        before = folded[max(0, match.start() - 80):match.start()]
        after = folded[match.end():match.end() + 40]
        old = any(b.search(before) and (a is None or a.match(after)) for b, a in _SUPERSEDED)
        found.extend((n, old) for n in numbers(match.group(0), words=False))
    return found


def _year(number: str) -> bool:
    return number.isdigit() and 1900 <= int(number) <= 2100


def _only_replaced(figures: Sequence[tuple[str, bool]]) -> set[str]:
    """Of `_figures`, the numbers given as replaced and nowhere plainly (years never)."""
    plain = {n for n, old in figures if not old}
    return {n for n, old in figures if old and n not in plain and not _year(n)}


def replaced_figures(text: str) -> set[str]:
    """The numbers `text` gives only as replaced ("raised to 63 from 48" gives {"48"}; a 48 given
    plainly elsewhere in it too gives none)."""
    return _only_replaced(_figures(text))


def asks_earlier(question: str) -> bool:
    """Whether the question asks for a figure as it stood before an update."""
    return bool(_ASKS_EARLIER.search(fold(question)))


def replaced_given(claim: str, backing: Sequence[str], question_numbers: set[str]) -> set[str]:
    """The numbers `claim` gives as the fact (not itself marking them as old) that every one of
    the `backing` passages holding them gives only as replaced: "48 [1]" from "the number of
    injured was raised to 63 from 48". Numbers the question gave are the asker's, not judged."""
    given = {n for n, old in _figures(claim) if not old} - question_numbers
    if not given:
        return set()
    return given & _only_replaced([figure for text in backing for figure in _figures(text)])
