"""Country and region names in the languages of the corpus (CLDR, through Babel).

A question's "Ukraine", a report's "Ukraina", "Kanada" or "Royaume-Uni": the checks that tell a
place from a person (`rag.referents`) and a country from the rest of a name (`rag.grounding`:
"Hari Kemerdekaan Ukraina" is Ukraine's Independence Day, not Ukraine) read them here.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

from rag.language import CORPUS_LANGUAGES
from rag.rerank import fold

# The languages of the corpus's reports, whose names for countries a question or a passage may use.
LANGUAGES = CORPUS_LANGUAGES


def is_country(name: frozenset[str]) -> bool:
    """Whether a name (folded words) is a country or region's, in English or in another language
    of the corpus ("Canada", "Kanada", "United Kingdom", "Royaume-Uni")."""
    return name in territory_names() or any(frozenset({word}) in territory_names() for word in name)


@cache
def territory_names() -> frozenset[frozenset[str]]:
    """Countries and regions by their names in `LANGUAGES` (CLDR), each as its set of folded words."""
    return frozenset(_words(name) for code in LANGUAGES
                     for name in Locale(code).territories.values())


@cache
def english_territories() -> frozenset[str]:
    """Countries and regions by their English names (CLDR), folded: "France", "United States"."""
    return frozenset(fold(name) for name in Locale("en").territories.values())


@cache
def territory_codes() -> dict[frozenset[str], frozenset[str]]:
    """Each name of a country or region in `LANGUAGES` (folded words) -> its CLDR codes."""
    codes: dict[frozenset[str], set[str]] = {}
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            codes.setdefault(_words(name), set()).add(code)
    return {name: frozenset(found) for name, found in codes.items()}


@cache
def names_of(code: str) -> frozenset[frozenset[str]]:
    """A country or region's names in `LANGUAGES`, each as its set of folded words ("LV": Latvia,
    Lettonie, Lettland, Letonia, ...)."""
    return frozenset(_words(Locale(language).territories[code])
                     for language in LANGUAGES if code in Locale(language).territories)


def _words(name: str) -> frozenset[str]:
    """A place name as its set of folded words ("Royaume-Uni" is one word)."""
    return frozenset(re.findall(r"[\w-]+", fold(name)))
