"""Names a translation lost, found without a model (`rag.kept_names`)."""

from __future__ import annotations

import pytest

from rag.kept_names import kept_names, lost_names, names

# What the 1.5B model did to the dev index's translations, and sentences it kept whole.
INDONESIAN = ("Militer Kanada dan Inggris juga melatih tentara baru Ukraina di Inggris, dan Joly menyampaikan "
              "bahwa lebih banyak pakar Kanada akan bergabung ke dalam sel informasi pemerintah Inggris.")
INDONESIAN_EN = [
    ("Joly bertemu dengan Menteri Luar Negeri Inggris James Cleverly di Toronto.",
     "Joly met British Foreign Secretary James Cleverly in Toronto."),
    (INDONESIAN, "The Canadian military and British military are training Ukrainian soldiers in England, and "
                 "Trudeau has announced that more Canadian experts will join the English government's effort."),
]
FRENCH = "« La Russie porte une lourde responsabilité », a déclaré M. Harper."


def test_the_names_a_translator_keeps_are_those_some_translation_writes_as_the_original_does() -> None:
    kept = kept_names(INDONESIAN_EN)
    assert {"Joly", "James", "Cleverly", "Toronto"} <= kept
    assert not {"Inggris", "Kanada", "Menteri", "Ukraina"} & kept  # translated, as they must be


@pytest.mark.parametrize(("original", "translation", "kept", "lost"), [
    # "Joly said" became "Trudeau has announced"
    (INDONESIAN, INDONESIAN_EN[1][1], kept_names(INDONESIAN_EN), {"Joly"}),
    # the speaker of a quotation left out
    (FRENCH, "Russia bears a heavy responsibility.", frozenset({"Harper", "Russie"}), {"Harper"}),
])
def test_a_lost_name_is_found(original: str, translation: str, kept: frozenset[str], lost: set[str]) -> None:
    assert lost_names(original, translation, kept) == lost


@pytest.mark.parametrize(("original", "translation", "kept"), [
    (INDONESIAN_EN[0][0], INDONESIAN_EN[0][1], kept_names(INDONESIAN_EN)),
    (FRENCH, "\"Russia bears a heavy responsibility,\" said Mr. Harper.", frozenset({"Harper"})),
    # another form of a kept name: "Canada" written "Canadian", "Joly's" as "Joly"
    ("Il Canada di Joly annuncia sanzioni.", "Joly's Canadian government announces sanctions.",
     frozenset({"Canada", "Joly"})),
    # a name the translator does not keep anywhere in the article may be translated
    ("Kanada dan Inggris melatih tentara.", "Canada and Britain train soldiers.", frozenset({"Joly"})),
])
def test_a_faithful_translation_loses_no_name(original: str, translation: str, kept: frozenset[str]) -> None:
    assert lost_names(original, translation, kept) == set()


def test_names_are_capitalised_words_without_their_possessive() -> None:
    assert names("Joly's office told CTV News on Tuesday that it was so.") == {"Joly", "CTV", "News", "Tuesday"}
