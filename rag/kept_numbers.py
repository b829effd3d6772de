"""Numbers carried from an article into its translation, checked without a model.

The translation is what the model reads and cites, so a number the translator drops or changes
becomes a missing or wrong answer for every question about it. The bundled 1.5B model did both,
in 5 of the dev index's 56 translated chunks: an Italian "17 persone e 35 entità" left out of a
long opening sentence, "oltre 2000" rendered "over 20,000", a French date dropped, and a German
"1,3 Millionen" written "1. 3 million" (which no number check reads as 1.3).

Numbers are a closed, language-independent vocabulary, so the check is exact: every number of the
original must be in the translation, and every number the translation writes in digits must be
in the original. A split number is joined first; a chunk still failing is translated again one
sentence at a time, the translator's usual unit, and a sentence whose translation still fails is
kept in its own language: a passage the model reads partly in Italian is better than one that
says 20,000.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from text_to_num import alpha2digit

from rag.grounding import numbers
from rag.language import detect
from rag.number_words import words_as_digits
from rag.wording import split_sentences

log = logging.getLogger(__name__)

# "1. 3 million" or "20, 000": a decimal or thousands group split by a space.
_SPLIT_NUMBER = re.compile(r"(?<![\d.,])(\d+)([.,]) (\d+)(?![\d])")


def joined_numbers(original: str, translation: str) -> str:
    """`translation` with each split number joined where the joined number is the original's
    ("1. 3 million" -> "1.3 million" when the original says "1,3 Millionen"); any other
    "3. 4" (the end of one sentence, the start of the next) is left alone."""
    wanted = numbers(original)

    def join(match: re.Match[str]) -> str:
        whole = match.group(1) + match.group(2) + match.group(3)
        return whole if numbers(whole) <= wanted else match.group(0)

    return _SPLIT_NUMBER.sub(join, translation)


def number_faults(original: str, translation: str, language: str = "", source: str = "") -> set[str]:
    """The numbers the translation (into `language`) lost (in the original, not in it) or made up
    (in digits in it, not in the original). Number words count for both sides' presence ("tiga" is
    the "3" or "three" of the translation, "diciassette" the "17"), but a number word the
    translator adds ("one month") is not a fault: only digits are claims of its own. `source`: the
    original's language when known (a lone sentence is often too short to tell: "fire barn" is four
    children in Norwegian and Danish alike, and a guess between them falls below confidence)."""
    said = numbers(original) | numbers(written_in_digits(original, source))
    kept = numbers(translation) | numbers(written_in_digits(translation, language))
    return (said - kept) | (numbers(translation, words=False) - said)


def written_in_digits(text: str, language: str = "") -> str:
    """`text` with its number words written in digits ("diciassette persone" -> "17 persone"), by
    text2num for the languages it knows (English, French, German, Italian, Spanish, Portuguese,
    Dutch, Danish); else by num2words' cardinals (`rag.number_words`: Norwegian, Swedish, Polish,
    Czech, Slovak, Lithuanian ...); else as it is."""
    language = language or detect(text) or "en"
    try:
        digits = str(alpha2digit(text, language))
    except (ValueError, RuntimeError):  # a language text2num does not know: num2words' words, if any
        return words_as_digits(text, language)
    # Ordinals made digits ("le deuxième premier ministre" -> "le 2ème 1er ministre") count nothing:
    # the translation's "second Canadian prime minister" has no 2 and no 1 to keep.
    return _ORDINAL_MADE.sub(" ", digits) if digits != text else digits


# an ordinal text2num wrote in digits: 1er, 2ème, 2e, 3rd, 1º ...
_ORDINAL_MADE = re.compile(r"(?<![\w.,])\d+(?:er|re|ère|ème|eme|e|nd|st|rd|th|º|ª|°|o|a)(?!\w)")


def sentence_by_sentence(original: str, translate: Callable[[str], str], language: str = "",
                         faults: Callable[[str, str], set[str]] | None = None) -> str:
    """The original translated into `language` one sentence at a time (lines kept as lines); a
    sentence whose translation has faults is kept as written. `faults(original, translation)`:
    what a sentence's translation got wrong, by default the numbers it lost or made up
    (`number_faults`); the caller may check more (`rag.kept_names`)."""
    def found(sentence: str, translated: str) -> set[str]:
        return faults(sentence, translated) if faults else number_faults(sentence, translated, language)

    lines = []
    for line in original.split("\n"):
        kept = []
        for sentence in split_sentences(line):
            translated = joined_numbers(sentence, translate(sentence).strip())
            wrong = found(sentence, translated) if translated else set()
            if wrong or not translated:
                log.info("translation of a sentence %s %s: kept in its own language: %.80r",
                         "lost or changed" if translated else "was empty; no", sorted(wrong), sentence)
                translated = sentence
            kept.append(translated)
        lines.append(" ".join(kept))
    return "\n".join(lines)
