"""Counts of the dead are no counts of the wounded: the fate a count question asks about."""

from __future__ import annotations

import pytest

from rag.casualties import asked_fate, fates, other_fate
from rag.draft import finalize
from rag.schema import Passage

TOLL = Passage(source="toll.txt", doc_id="toll.txt", title="Kramatorsk toll rises to 52", outlet="Courier",
               language="en", published="2022-04-09", score=0.5, chunk=0,
               text="The toll of the strike on the station rose to 52 dead, and 109 people were wounded. "
                    "Thirteen people died later in hospitals, the regional governor said.")


@pytest.mark.parametrize(("question", "fate"), [
    ("By the day after the attack, how many people were reported wounded?", "wounded"),
    ("How many people were killed in the strike on the station?", "dead"),
    ("How many Ukrainian sailors were captured near the Kerch Strait?", "detained"),
    ("Combien de morts a fait la frappe ?", "dead"),
    ("Ile osób zostało rannych w ataku?", "wounded"),
    ("How many people were killed or wounded?", ""),  # two fates: not one to hold the answer to
    ("How many individuals did Canada sanction?", ""),
])
def test_the_fate_a_count_question_asks_about(question: str, fate: str) -> None:
    assert asked_fate(question) == fate


def test_a_count_beside_another_fate_answers_another_question() -> None:
    assert other_fate("According to the governor, 13 people died later in hospitals [1].", "wounded") == "dead"
    assert other_fate("52 people were killed and 109 wounded [1].", "wounded") == ""  # the asked one is named
    assert other_fate("109 [1].", "wounded") == ""  # a bare figure: the other checks judge it
    assert other_fate("13 people died later in hospitals [1].", "") == ""
    assert fates("zginęło 52 osoby, 109 zostało rannych") == {"dead", "wounded"}


def test_an_answer_giving_the_dead_for_the_wounded_is_withheld() -> None:
    question = "By the day after the attack, how many people were reported wounded?"
    _, abstained, _ = finalize("Thirteen people died later in hospitals [1].", [TOLL], question)
    assert abstained
    text, abstained, _ = finalize("109 people were wounded [1].", [TOLL], question)
    assert not abstained and "109" in text
