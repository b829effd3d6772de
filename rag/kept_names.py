"""Names carried from an article into its translation, checked without a model.

The translation is what the model reads and cites, so a person the translator leaves out or
replaces becomes a wrong answer to "who said..." and "according to...". The bundled 1.5B model
did both in the dev index: "a déclaré M. Harper" was left out of a French quotation (which then
belonged to no one), and "Joly menyampaikan" (Joly said) became "Trudeau has announced"; asked
again sentence by sentence, it wrote "Johnson said".

Unlike numbers, names are not a closed vocabulary: a translator must change some ("Inggris" is
"Britain", "Kanada" is "Canada"). Which names it keeps as written, the article itself shows: a
name of the original that a translation of one of the article's chunks writes letter for letter
is a name the translator keeps, and a chunk whose translation lacks it, in all its forms
("Canada", "Canadian"), lost it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.grounding import PinVocabulary
from rag.rerank import fold

_NAME = re.compile(r"(?<![\w’'-])[^\W\d_a-z][\w’'-]{2,}")  # capitalised, three letters or more
_WORD = re.compile(r"[\w’'-]+")


def names(text: str) -> set[str]:
    """The capitalised words of `text`, as written, without a possessive ("Joly's" is Joly)."""
    return {re.sub(r"['’]s$", "", found.group(0)) for found in _NAME.finditer(text)}


def kept_names(pairs: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The names of the originals that a translation of the same article writes exactly as the
    original does: the names this translator keeps (people, most places), unlike those it must
    translate ("Inggris", "Menteri")."""
    kept: set[str] = set()
    for original, translation in pairs:
        written = set(_WORD.findall(translation))
        kept |= {name for name in names(original) if name in written}
    return frozenset(kept)


def lost_names(original: str, translation: str, kept: frozenset[str]) -> set[str]:
    """The kept names (`kept_names`) of `original` that `translation` lacks in every form."""
    wanted = names(original) & kept
    if not wanted:
        return set()
    have = PinVocabulary([translation])
    return {name for name in wanted if not have.has_name(fold(name))}
