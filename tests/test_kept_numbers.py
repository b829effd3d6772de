"""Numbers a translation lost or changed, found without a model (`rag.kept_numbers`)."""

from __future__ import annotations

import pytest

from rag.kept_numbers import joined_numbers, number_faults, sentence_by_sentence

# (original, the model's translation, the numbers at fault): what the 1.5B model did to the dev index
MUST_FAULT = [
    ("HIROSHIMA — Il primo ministro ha annunciato sabato 20 maggio 2023 nuove sanzioni contro la Russia "
     "che colpiscono 17 persone e 35 entità.",
     "The Canadian government announced new sanctions against Moscow at the G7 summit on May 20, 2023.",
     {"17", "35"}),
    ("Le nuove misure portano a oltre 2000 il numero di persone ed entità colpite.",
     "The new measures will lead to over 20,000 people and entities affected.", {"2000", "20000"}),
    ("Le gouvernement a annoncé le jeudi 24 juillet 2014 une nouvelle série de sanctions.",
     "Canada announced new sanctions against Russia.", {"24", "2014"}),
    # A number word the original spells is still a number to keep.
    ("Il Canada sanziona diciassette persone.", "Canada sanctions 18 people.", {"17", "18"}),
    # ... in a language text2num does not read (num2words' words: `rag.number_words`)
    ("Sankcie sa týkajú štyroch osôb a dva podniky.", "The sanctions target four people and three companies.",
     {"2"}),
]
MUST_PASS = [
    ("Il Canada sanziona 17 persone e 35 entità.", "Canada sanctions 17 people and 35 entities."),
    ("Kanada ist mit mehr als 1,3 Millionen Menschen ukrainischer Herkunft verbunden.",
     "Canada has more than 1.3 million people of Ukrainian descent."),
    ("Il Canada sanziona diciassette persone.", "Canada sanctions 17 people."),  # the word as digits
    ("Il Canada sanziona 17 persone.", "Canada sanctions seventeen people."),  # the digits as a word
    ("Kanada menjatuhkan sanksi kepada tiga bank.", "Canada sanctioned three banks."),
    # Number words the translator adds are not claims of its own.
    ("Der Gipfel fand genau einen Monat später statt.", "The summit took place exactly one month later."),
    # Ordinals count nothing: text2num writes "deuxième premier" as "2ème 1er", the English has no 2 or 1.
    ("M. Trudeau est le deuxième premier ministre canadien à se rendre en Ukraine depuis 2014.",
     "Mr. Trudeau is the second Canadian prime minister to visit Ukraine since 2014."),
]


@pytest.mark.parametrize(("original", "translation", "faults"), MUST_FAULT)
def test_a_lost_or_changed_number_is_found(original: str, translation: str, faults: set[str]) -> None:
    assert number_faults(original, translation, "en") == faults


@pytest.mark.parametrize(("original", "translation"), MUST_PASS)
def test_a_faithful_translation_passes(original: str, translation: str) -> None:
    assert number_faults(original, translation, "en") == set()


def test_number_words_are_read_in_the_passages_language_when_a_sentence_is_too_short_to_tell() -> None:
    """holdout10 p034: the stored translation of a Norwegian update made "fire barn" (four
    children) "five children", and the answer "five children" stood on it."""
    original = "Antallet drepte har steget til 27, blant dem fire barn."
    assert number_faults(original, "The toll has risen to 27, among them five children.", "en", "nb") == {"4"}
    assert number_faults(original, "The toll has risen to 27, among them four children.", "en", "nb") == set()
    # "en" is Norwegian "one" and the article alike: not a number to keep
    assert number_faults("En beboer er fortsatt savnet.", "A resident is still missing.", "en", "nb") == set()


def test_a_split_number_is_joined_only_into_a_number_of_the_original() -> None:
    original = "Kanada hat mehr als 1,3 Millionen Menschen ukrainischer Herkunft. Es gab 3. 4 war falsch."
    assert joined_numbers(original, "Canada has more than 1. 3 million people.") == (
        "Canada has more than 1.3 million people.")
    assert joined_numbers("Es waren 20 000 Menschen.", "There were 20, 000 people.") == "There were 20,000 people."
    # "… in 2022. 4 tanks …" is two sentences, not 2022.4
    assert joined_numbers("Im Jahr 2022 kamen vier Panzer.", "It was in 2022. 4 tanks came.") == (
        "It was in 2022. 4 tanks came.")


def test_sentence_by_sentence_keeps_lines_and_any_sentence_whose_numbers_it_would_change() -> None:
    original = ("Vertice G7 di Hiroshima\n\n"
                "Il Canada sanziona 17 persone e 35 entità. Le misure portano a oltre 2000 il numero totale.")
    replies = {
        "Vertice G7 di Hiroshima": "G7 summit in Hiroshima",
        "Il Canada sanziona 17 persone e 35 entità.": "Canada sanctions 17 people and 35 entities.",
        "Le misure portano a oltre 2000 il numero totale.": "The measures bring the total to over 20,000.",
    }
    asked: list[str] = []

    def translate(sentence: str) -> str:
        asked.append(sentence)
        return replies[sentence]

    assert sentence_by_sentence(original, translate, "en") == (
        "G7 summit in Hiroshima\n\n"
        "Canada sanctions 17 people and 35 entities. Le misure portano a oltre 2000 il numero totale.")
    assert asked == list(replies)
