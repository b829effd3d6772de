"""Which language a text is in, so passages the model cannot read well can be translated for it.

`py3langid` (langid.py's maintained fork) ships its model inside the package: no download, no
torch, microseconds a call. Short or mixed texts give low confidence; then we say "unknown"
rather than guess, and nothing is translated on a guess.
"""

from __future__ import annotations

import functools
from typing import Any

NAMES = {"en": "English", "id": "Indonesian", "ms": "Malay", "fr": "French", "de": "German", "es": "Spanish",
         "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish",
         "tr": "Turkish", "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese"}
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


def name(code: str) -> str:
    """A language's English name for prompts and labels ("id" -> "Indonesian")."""
    return NAMES.get(code, code)
