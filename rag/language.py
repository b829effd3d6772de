"""Which language a text is in, so passages the model cannot read well can be translated for it.

`py3langid` (langid.py's maintained fork) ships its model inside the package: no download, no
torch, microseconds a call. Short or mixed texts give low confidence; then we say "unknown"
rather than guess, and nothing is translated on a guess.
"""

from __future__ import annotations

import functools
from typing import Any

# The languages told apart. A language left out is not "unknown": its texts are classified as the
# nearest one listed (Romanian as Italian, Swedish as German), and a Romanian question would be
# answered in Italian. Adding the European ones changed the classification of none of the ~500 dev
# and held-out questions (docs/quality.md, twenty-sixth round).
NAMES = {"en": "English", "id": "Indonesian", "ms": "Malay", "fr": "French", "de": "German", "es": "Spanish",
         "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish",
         "tr": "Turkish", "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese",
         "ro": "Romanian", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "cs": "Czech",
         "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian", "sr": "Serbian", "bg": "Bulgarian", "el": "Greek",
         "hu": "Hungarian", "et": "Estonian", "lt": "Lithuanian", "lv": "Latvian", "ca": "Catalan", "he": "Hebrew",
         "hi": "Hindi", "fa": "Persian", "th": "Thai"}
# The languages an answer is written in when the question is in one of them: those the model
# writes well enough and the checks were written for. A question in another language (Romanian,
# Swedish) is answered from the passages as given, without asking for its language: asked to
# answer in Romanian, the bundled model wrote an answer the checks could not read ("Intâlnirea a
# durat 29 august", the meeting "lasted August 29"; holdout6 y023, docs/quality.md).
ANSWERED = frozenset({"en", "id", "ms", "fr", "de", "es", "it", "pt", "nl", "ru", "uk", "pl", "tr", "ar", "zh", "ja",
                      "ko", "vi"})
# The languages of the corpus's reports: their calendar names (`rag.calendar_names`) and country
# names (`rag.territories`) are read from CLDR for the checks.
CORPUS_LANGUAGES = ("en", "fr", "de", "it", "es", "id", "pt", "nl", "pl", "uk", "ro", "sv", "cs")
MIN_CONFIDENCE = 0.5


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Only the languages we can name: over all 97, short questions spread their probability thin.
    identifier.set_languages(list(NAMES))
    return identifier


def detect(text: str) -> str:
    """ISO 639-1 code of `text`, or "" when the text is too short or ambiguous to tell."""
    if len(text.strip()) < 12:
        return ""
    code, confidence = _identifier().classify(text)
    return str(code) if confidence >= MIN_CONFIDENCE else ""


def question_language(question: str) -> str:
    """The language to answer `question` in (`ANSWERED`), or "" to leave it to the passages."""
    code = detect(question)
    return code if code in ANSWERED else ""


def name(code: str) -> str:
    """A language's English name for prompts and labels ("id" -> "Indonesian")."""
    return NAMES.get(code, code)
