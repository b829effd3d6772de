"""Weekday and month names carried from an article into its translation.

The bundled 1.5B model translates an Indonesian "Serangan ... di Dnipro, Sabtu" as "on Sunday":
the translation is what the model answers from, so "On which day was Dnipro hit?" got a
confident, cited "Sunday". Day and month names are a closed vocabulary in every language the
corpus has, so the translation can be checked against the original without any model: when the
original names exactly one weekday (or month) and the translation names exactly one other, the
translation's is replaced by the original's. Anything less clear-cut is left as translated.
The names come from CLDR (through Babel) for every language of the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from babel import Locale

from rag.language import CORPUS_LANGUAGES


def _cldr(kind: str, numbers: range) -> dict[str, str]:
    """Each corpus language's wide names of `kind` ("days", Monday first, or "months", January
    first) as CLDR writes them in a date ("15 січня", "5 maja"), lower case, space-separated."""
    return {code: " ".join(getattr(Locale(code), kind)["format"]["wide"][n].lower() for n in numbers)
            for code in CORPUS_LANGUAGES}


_WEEKDAYS = _cldr("days", range(7))  # Babel counts weekdays from Monday (0)
# Month names, January first, by language (also read by `rag.relative_dates`).
MONTHS = _cldr("months", range(1, 13))
# Languages that write these names with a capital: there a lower-case word is something else
# ("may" the verb, Indonesian "minggu" the week), so only the capitalised form is a name.
_CAPITALISED = frozenset({"en", "de", "nl", "id"})


def _vocabulary(names: Mapping[str, str]) -> dict[str, dict[str, int]]:
    return {lang: {word: i for i, word in enumerate(words.split())} for lang, words in names.items()}


_KINDS = (_vocabulary(_WEEKDAYS), _vocabulary(MONTHS))
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?", re.UNICODE)


def _named(text: str, vocabulary: Mapping[str, int], capitalised: bool) -> list[tuple[re.Match[str], int]]:
    """Each word of `text` that is one of `vocabulary`'s names, with the name's index."""
    out = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        index = vocabulary.get(word.lower())
        if index is not None and (not capitalised or word[0].isupper()):
            out.append((match, index))
    return out


def _in_original(text: str, vocabularies: Mapping[str, Mapping[str, int]], target: str) -> set[int]:
    """The indices of the names the original uses, in any language but the translation's."""
    return {index for lang, vocabulary in vocabularies.items() if lang != target
            for _, index in _named(text, vocabulary, lang in _CAPITALISED)}


def restore_calendar_names(original: str, translation: str, target: str) -> str:
    """`translation` (into ISO language `target`) with a weekday or month name the model changed
    put back as the original has it, when that is unambiguous (see the module docstring)."""
    for vocabularies in _KINDS:
        if target not in vocabularies:
            return translation
        names = list(vocabularies[target])
        found = _named(translation, vocabularies[target], target in _CAPITALISED)
        given, meant = {index for _, index in found}, _in_original(original, vocabularies, target)
        if len(given) != 1 or len(meant) != 1 or given == meant:
            continue
        right = names[meant.pop()]
        for match, _ in reversed(found):
            word = right.capitalize() if match.group(0)[0].isupper() else right
            translation = translation[:match.start()] + word + translation[match.end():]
    return translation
