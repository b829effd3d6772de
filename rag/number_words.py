"""Number words of the languages text2num does not read, as digits, from num2words' cardinals.

`rag.kept_numbers` checks that a translation keeps every number of its original, and a number
written as a word is one too. text2num reads eight languages; a Norwegian report's "27, blant dem
fire barn" (among them four children) was translated "27, among them five children" and no check
saw it (holdout10 p034: the answer "five children" stood on the stored translation). num2words
writes cardinals in some forty languages; read backwards, its words for 2-20, the tens, a hundred
and a thousand are the lookup. One is left out: in most of these languages it is also the
article ("en beboer", a resident). A declined numeral ("štyroch", "keturių") is not found: what
this adds is the nominative forms, which is how a report gives a count.
"""

from __future__ import annotations

import re
from functools import cache

from num2words import num2words

# The index's language codes as num2words names them; Norwegian Bokmål and Nynorsk count alike, and
# Croatian and Bosnian as num2words' (Latin) Serbian does. Languages text2num reads are not here.
_NUM2WORDS_LANGUAGE = {
    "no": "no", "nb": "no", "nn": "no", "sv": "sv", "fi": "fi", "hu": "hu", "cs": "cs", "sk": "sk",
    "pl": "pl", "lt": "lt", "lv": "lv", "tr": "tr", "ru": "ru", "uk": "uk", "sr": "sr", "hr": "sr",
    "bs": "sr", "sl": "sl", "ro": "ro", "is": "is", "id": "id", "ca": "ca",
}
_COUNTED = (*range(2, 21), 30, 40, 50, 60, 70, 80, 90, 100, 1000)
# Number words that are as often another word: Hungarian "hét" is seven and a week.
_AMBIGUOUS = frozenset({"hét"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@cache
def number_words(language: str) -> dict[str, int]:
    """Number words of `language` (an ISO 639-1 code), lower case with their accents (Croatian
    "sto" is a hundred, "što" is what), and their values; empty for a language num2words does not
    write or text2num already reads."""
    code = _NUM2WORDS_LANGUAGE.get(language.split("-")[0].lower())
    if code is None:
        return {}
    words = {}
    for value in _COUNTED:
        word = num2words(value, lang=code).lower()
        if " " not in word and word not in _AMBIGUOUS:
            words[word] = value
    return words


def words_as_digits(text: str, language: str) -> str:
    """`text` with the number words of `language` written in digits ("fire barn" -> "4 barn")."""
    words = number_words(language)
    if not words:
        return text
    return _WORD.sub(lambda m: str(words.get(m.group(0).lower(), m.group(0))), text)
