"""What became of the people a count counts: killed, wounded, missing or detained.

A report of an attack gives several counts of the same people side by side ("52 dead, 109
wounded, 13 of them died later in hospital"), and a small model asked "how many people were
wounded?" picks one of them. The counted noun is the same ("people"), so the count checks of
`rag.grounding` pass; what differs is the verb. An answer that gives a count beside another fate
than the one asked, and never the one asked, answers another question.

Words of the corpus's languages (en, fr, de, es, it, pt, id, pl, nl), matched on folded text
(lower case, accents off); an answer is in its question's language. Pure functions, no I/O.
"""

from __future__ import annotations

import re

from rag.grounding import NUMBER, numbers
from rag.rerank import fold

_FATES: dict[str, re.Pattern[str]] = {
    "dead": re.compile(
        r"\b(?:kill\w*|dead|died|dies|deaths?|fatalit\w*|perish\w*|lives|"  # en
        r"mort[eiao]?s?|tue[es]{0,2}|deces|"  # fr, it, pt
        r"tote[n]?|getotet\w*|starben|gestorben\w*|"  # de
        r"muert[oa]s?|fallecid[oa]s?|"  # es
        r"uccis[io]|decedut[ie]|"  # it
        r"tewas|meninggal|"  # id
        r"zabit\w*|zgin\w*|zmar\w*|smierc\w*|"  # pl
        r"doden|omgekomen)\b"),  # nl
    "wounded": re.compile(
        r"\b(?:wound\w*|injur\w*|hurt|"
        r"bless[ea]s?|blessures?|"
        r"verletz\w*|verwundet\w*|"
        r"herid[oa]s?|"
        r"ferit[ie]|ferid[oa]s?|"
        r"luka-luka|terluka|"
        r"rann[iy]\w*|"
        r"gewond\w*)\b"),
    "missing": re.compile(r"\b(?:missing|disparus?|vermisst\w*|desaparecid[oa]s?|dispers[io]|hilang|zaginion\w*|"
                          r"vermist\w*)\b"),
    "detained": re.compile(
        r"\b(?:detain\w*|captur\w*|arrest\w*|imprison\w*|prisoners?|jailed|"
        r"detenus?|captures?|arretes?|prisonniers?|"
        r"festgenommen\w*|gefangen\w*|inhaftiert\w*|"
        r"detenid[oa]s?|capturad[oa]s?|"
        r"detenut[ie]|catturat[ie]|"
        r"ditahan|ditangkap|"
        r"zatrzyman\w*|pojman\w*|"
        r"gevangen\w*|aangehouden)\b"),
}


def fates(text: str) -> set[str]:
    """The fates `text` names: {"dead", "wounded"} for "52 dead and 109 wounded"."""
    folded = fold(text).replace("ł", "l")  # Polish ł has no accent to fold off
    return {fate for fate, words in _FATES.items() if words.search(folded)}


def asked_fate(question: str) -> str:
    """The one fate a count question asks about ("How many people were reported wounded?":
    "wounded"), or "" when it names none or several ("killed or wounded")."""
    named = fates(question)
    return next(iter(named)) if len(named) == 1 else ""


def other_fate(claim: str, asked: str) -> str:
    """The fate `claim` gives its count beside when it names another one than `asked` and never
    `asked` itself ("13 people died later in hospital" for the wounded: "dead"); "" otherwise."""
    if not asked:
        return ""
    named = fates(claim)
    if not named or asked in named:
        return ""
    return sorted(named)[0]


# The words right after a count ("92 people had been injured and ..."), to the end of its clause
_CLAUSE_AFTER = re.compile(r"[^.;:,()]{0,60}")


def fate_in_source(number: str, asked: str, texts: list[str]) -> str:
    """The fate the `texts` (a claim's cited passages) give `number` beside when they never give it
    beside `asked`: "which said 92 people had been injured" makes 92 a count of the wounded, whatever
    the answer calls it ("The preliminary death toll ... was 92 people": holdout6 y036). "" when the
    number stands beside the asked fate anywhere, beside none, or `asked` is ""."""
    if not asked:
        return ""
    beside: set[str] = set()
    for text in texts:
        folded = fold(text).replace("ł", "l")
        for match in NUMBER.finditer(folded):
            if number in numbers(match.group(0), words=False):
                after = _CLAUSE_AFTER.match(folded, match.end())
                beside |= {fate for fate, words in _FATES.items() if after and words.search(after.group(0))}
    if not beside or asked in beside:
        return ""
    return sorted(beside)[0]
