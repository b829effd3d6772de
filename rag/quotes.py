"""Quotations in an answer to "what did X say": each must be X's, in the report the answer cites.

A report on Moscow's bans quotes Moscow's spokeswoman and, a paragraph later, Ottawa's. Asked
what the spokeswoman said, a small model readily quotes the other speaker: the words are in the
cited passage, the speaker's name too, so the citation and name checks pass. What tells them
apart is where the quotation stands: in a paragraph that names X (or says "she said" right after
one that does), or in another person's paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.grounding import PinVocabulary
from rag.rerank import fold

# "What did Maria Zakharova say", "Who did Trudeau say would decide", "How did Stepanov describe"
_SPEAKER = re.compile(r"\b(?:did|does|do|has|have|had)\s+((?:[A-Z][\w’'-]+\s+){0,3}[A-Z][\w’'-]+)\s+"
                      r"(?:say|said|tell|told|call|called|describe|described|warn|warned|claim|claimed|write|wrote|"
                      r"add|added)\b")
# Pairs in reading order; short ones are matched too, so that the closing mark of "useless" is not
# taken for the opening mark of the next quotation.
_QUOTED = re.compile(r"\"([^\"]{1,300})\"|“([^“”]{1,300})”|«([^«»]{1,300})»|„([^„“”]{1,300})[“”]")
_PRONOUN = re.compile(r"\b(?:he|she|they|il|elle|ils|er|sie|dia|lui|lei)\b")
_SPACES = re.compile(r"\s+")


# "What did Stepanov say about ...", "How did Stepanov describe ...": the answer is the speaker's words
# (not "How many soldiers did Trudeau say ...", whose answer is a figure the speaker gave)
_WORDS_OF = re.compile(r"\b(?:[Ww]hat|[Hh]ow)\s+(?:did|does|do|has|have|had)\s+(?:[A-Z][\w’'-]+\s+){0,3}"
                       r"[A-Z][\w’'-]+\s+(?:say|said|tell|told|describe|described)\b")


def speaker(question: str) -> str:
    """The person whose words the question asks for ("What did Stepanov say ..."), folded, or ""."""
    match = _SPEAKER.search(question)
    return fold(match.group(1)).split()[-1].split("'")[0].split("’")[0] if match else ""


def quotations(answer: str) -> list[str]:
    """The answer's quoted spans of three words or more, folded, spaces collapsed."""
    spans = (_SPACES.sub(" ", fold(next(g for g in m.groups() if g is not None))).strip(" .,;:")
             for m in _QUOTED.finditer(answer))
    return [s for s in spans if len(s.split()) >= 3]


def misattributed(question: str, answer: str, texts: Sequence[str]) -> list[str]:
    """The answer's quotations that are not the asked speaker's in `texts` (the cited passages'
    articles, or the passages): found nowhere, or only in paragraphs that do not name the speaker
    (nor follow one that does with a pronoun before the quotation)."""
    who = speaker(question)
    if not who:
        return []
    paragraphs = [_SPACES.sub(" ", fold(p)) for t in texts for p in t.splitlines() if p.strip()]
    return [q for q in quotations(answer) if not _said_by(q, who, paragraphs)]


def _said_by(quote: str, who: str, paragraphs: Sequence[str]) -> bool:
    for i, paragraph in enumerate(paragraphs):
        at = paragraph.find(quote)
        if at < 0:
            continue
        if PinVocabulary([paragraph]).has_name(who):
            return True
        if i and _PRONOUN.search(paragraph[:at]) and PinVocabulary([paragraphs[i - 1]]).has_name(who):
            return True
    return False


def words_asked_of(question: str) -> str:
    """The person whose words the question asks for ("What did Stepanov say ...", folded), or ""
    (also for "How many soldiers did Trudeau say ...", which asks for a figure)."""
    return speaker(question) if _WORDS_OF.search(question) else ""


def speaker_unnamed(who: str, answer: str, behind: str) -> bool:
    """Whether an answer giving `who`'s words (`words_asked_of`) names them nowhere: not in the
    answer, not in the passage sentences behind it (`behind`: the backing sentence and the one
    before, where a report names who speaks before "he said"), and the answer does not say "he" or
    "she" for them. Asked what Stepanov said, a small model gave Joly's words from the same report,
    unquoted, so `misattributed` had nothing to judge (public p04)."""
    return not _ANSWER_PRONOUN.search(answer) and not PinVocabulary([answer, behind]).has_name(who)


_ANSWER_PRONOUN = re.compile(r"\b(?:he|she|they|his|her|their)\b", re.IGNORECASE)
