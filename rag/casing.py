"""Names put back into a question typed without capitals.

People type "who at global affairs received russia's ambassador over the okhmatdyt strike?".
The checks find what a question pins down (people, places, events) by their capitals
(`rag.grounding.question_pins`), so such a question pinned nothing, and an answer from a
report about another strike passed. The reports the question was answered from show which of
its words are names: a word they write with a capital inside a sentence, and never in lower
case, is one ("Okhmatdyt", "Harper", "NATO"); "may" (a month, and a verb) and "minister" (in
"Prime Minister Carney" and in "the minister") are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_WORD = re.compile(r"[^\W\d_][\w’'-]*")
# A capital after these starts a sentence, a quotation or a line: it tells nothing about the word
_OPENERS = frozenset(".!?:;\"'“”‘’«»([-–—")
LOOKUPS = 8  # words of one question looked up in the whole index, at most (each ~2-5 ms)


def typed_without_capitals(question: str) -> bool:
    """Whether the question has no capital letter after its first character."""
    return not any(ch.isupper() for ch in question[1:])


def name_forms(texts: Iterable[str]) -> dict[str, str]:
    """The words `texts` write only as names, by their lower-case form: capitalised at least once
    inside a sentence and never in lower case ("okhmatdyt" -> "Okhmatdyt", "nato" -> "NATO")."""
    return _read(texts)[0]


def _read(texts: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """`name_forms`, and every word of the texts in lower case (to tell which they lack)."""
    capitalised: dict[str, str] = {}
    lower: set[str] = set()
    seen: set[str] = set()
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group(0)
            seen.add(word.lower())
            if word.islower():
                lower.add(word)
            elif word[0].isupper() and not _opens(text, match.start()):
                capitalised.setdefault(word.lower(), word)
    return {low: word for low, word in capitalised.items() if low not in lower}, seen


def _opens(text: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence, a quotation or the text."""
    before = text[:start].rstrip()
    return not before or before[-1] in _OPENERS


def recased(question: str, texts: Iterable[str], lookup: Callable[[str], str | None] | None = None) -> str:
    """The question with its names capitalised as `texts` write them, when it was typed without
    capitals; else the question as it stands. A word the texts lack altogether is asked of
    `lookup` (the whole index: `IndexStore.name_form`), at most `LOOKUPS` of them: the name of an
    event the retrieved reports are not about is the one the checks most need to see."""
    if not typed_without_capitals(question):
        return question
    forms, seen = _read(texts)
    if lookup is not None:
        unseen = [w for w in dict.fromkeys(m.group(0).lower() for m in _WORD.finditer(question))
                  if w.isalpha() and len(w) >= 4 and w not in seen][:LOOKUPS]
        forms |= {w: found for w in unseen if (found := lookup(w))}
    if not forms:
        return question
    return _WORD.sub(lambda m: _recased_word(m.group(0), forms), question)


def _recased_word(word: str, forms: dict[str, str]) -> str:
    """A word's name form; a possessive keeps its ending ("russia's" -> "Russia's")."""
    found = forms.get(word.lower())
    if found:
        return found
    for mark in ("'", "’"):
        stem, sep, tail = word.partition(mark)
        if sep and stem.lower() in forms:
            return forms[stem.lower()] + sep + tail
    return word
