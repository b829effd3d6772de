"""Weekday and month names the translating model changed, put back from the original."""

from __future__ import annotations

import pytest

from rag.calendar_names import restore_calendar_names

# (original, the model's translation, target language, what the reader must be given)
MUST_CORRECT = [
    ("Serangan terhadap gedung apartemen di Dnipro, Sabtu, merupakan serangan paling mematikan.",
     "The attack on apartment buildings in Dnipro, on Sunday, was the deadliest.", "en",
     "The attack on apartment buildings in Dnipro, on Saturday, was the deadliest."),
    ("Il primo ministro ha annunciato il 20 maggio nuove sanzioni.",
     "The prime minister announced new sanctions on 20 March.", "en",
     "The prime minister announced new sanctions on 20 May."),
    ("Le ministre a parlé jeudi à Ottawa.", "The minister spoke on Tuesday in Ottawa.", "en",
     "The minister spoke on Thursday in Ottawa."),
    ("Am Sonntag, dem 24. Februar, reiste Trudeau nach Kiew.",
     "Lunedì 24 febbraio Trudeau è andato a Kiev.", "it",  # question-time, into Italian
     "Domenica 24 febbraio Trudeau è andato a Kiev."),
    # languages with names from CLDR only: Romanian, Swedish, and Polish and Ukrainian dates
    ("Atacul de joi, 20 noiembrie, a ucis 31 de oameni.", "Tuesday's attack, on November 20, killed 31 people.",
     "en", "Thursday's attack, on November 20, killed 31 people."),
    ("Ryssland utvisade diplomaterna i mars.", "Russia expelled the diplomats in May.", "en",
     "Russia expelled the diplomats in March."),
    ("Atak nastąpił 8 kwietnia.", "The attack happened on 8 March.", "en", "The attack happened on 8 April."),
    ("Удар стався 14 січня.", "The strike happened on 14 February.", "en", "The strike happened on 14 January."),
]
MUST_KEEP = [
    # Right already.
    ("Serangan di Dnipro, Sabtu.", "The attack in Dnipro, on Saturday.", "en"),
    # Two days in the original, or two in the translation: which one is wrong is not clear-cut.
    ("Pada Senin dan Selasa, Joly bertemu Cleverly.", "On Monday and Wednesday, Joly met Cleverly.", "en"),
    ("Pada hari Senin, Joly berbicara.", "On Monday, after Sunday's attack, Joly spoke.", "en"),
    # Indonesian "minggu" is "week" in lower case, and English "may" a verb.
    ("Dalam satu minggu, Kanada mengumumkan sanksi.", "Within a week, on Friday, Canada may announce sanctions.",
     "en"),
    # The original names no day: nothing to compare with.
    ("Kanada mengumumkan sanksi baru.", "On Friday Canada announced new sanctions.", "en"),
]


@pytest.mark.parametrize(("original", "translation", "target", "expected"), MUST_CORRECT)
def test_a_changed_name_is_put_back(original: str, translation: str, target: str, expected: str) -> None:
    assert restore_calendar_names(original, translation, target) == expected


@pytest.mark.parametrize(("original", "translation", "target"), MUST_KEEP)
def test_a_translation_without_a_clear_cut_change_is_left_as_it_is(original: str, translation: str,
                                                                   target: str) -> None:
    assert restore_calendar_names(original, translation, target) == translation
