"""The "and why?" of a compound question: a count alone is half an answer."""

from __future__ import annotations

import pytest

from rag.draft import finalize
from rag.prompts import ABSTAIN_TEXT
from rag.reasons import asks_reason_too, gives_reason
from rag.schema import Passage

MARCH = Passage(source="crimea.txt", doc_id="crimea.txt", title="Canada sanctions 22 individuals", outlet="Gaceta",
                language="en", published="2024-03-18", score=0.5, chunk=0,
                text="Canada sanctioned 22 individuals and 9 entities over the Russian presidential election held "
                     "in occupied Ukrainian territories.")
QUESTION = "How many individuals did Canada sanction in March 2024, and why?"


@pytest.mark.parametrize("question", [
    QUESTION, "Combien de personnes le Canada a-t-il sanctionnées à New Delhi, et pourquoi ?",
    "Wie viele Personen hat Kanada sanktioniert und warum?", "¿Cuántas personas sancionó Canadá y por qué?",
    "Berapa orang yang dijatuhi sanksi dan mengapa?", "Hoeveel personen en waarom?",
])
def test_the_trailing_why_is_read_in_each_language(question: str) -> None:
    assert asks_reason_too(question)


def test_a_question_opening_with_why_or_without_one_asks_no_extra_part() -> None:
    assert not asks_reason_too("Why did Canada summon the ambassador?")
    assert not asks_reason_too("How many individuals did Canada sanction in March 2024?")


def test_a_count_without_its_reason_is_withheld() -> None:
    text, abstained, _ = finalize("Canada sanctioned 22 individuals in March 2024 [1].", [MARCH], QUESTION)
    assert abstained and text == ABSTAIN_TEXT
    assert not gives_reason("Le Canada a sanctionné 14 individus et 8 entités lors du sommet du G20 [1].")


def test_a_count_with_its_reason_passes() -> None:
    text, abstained, _ = finalize("Canada sanctioned 22 individuals over the Russian presidential election held in "
                                  "occupied Ukrainian territories [1].", [MARCH], QUESTION)
    assert not abstained and "22 individuals" in text
    assert gives_reason("Le Canada a sanctionné 14 personnes pour leur rôle dans les attaques contre les ports.")
    assert gives_reason("Kanada hat 14 Personen wegen der Angriffe auf Häfen sanktioniert.")
