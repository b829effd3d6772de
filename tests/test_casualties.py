"""Counts of the dead are no counts of the wounded: the fate a count question asks about."""

from __future__ import annotations

import pytest

from rag.casualties import asked_fate, fate_in_source, fates, other_fate
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


FIRST_COUNT = Passage(
    source="ternopil.txt", doc_id="ternopil.txt", title="Strike on Ternopil kills at least 26", outlet="Gazette",
    language="en", published="2025-11-19", score=0.5, chunk=1,
    text=("The figure is a preliminary count released on Wednesday evening, which said 92 people had been "
          "injured and that at least 22 residents were still unaccounted for. At least 26 people were killed."))


def test_a_count_the_report_gives_of_another_fate_is_no_death_toll() -> None:
    """The answer calls 92 the death toll; the report gives 92 as the injured (holdout6 y036)."""
    assert fate_in_source("92", "dead", [FIRST_COUNT.text]) == "wounded"
    question = "What was the preliminary death toll given on the day of the Ternopil strike?"
    text, abstained, _ = finalize("The preliminary death toll was 92 people, including three children [1].",
                                  [FIRST_COUNT], question)
    assert abstained and "92" not in text


def test_a_count_beside_the_asked_fate_or_beside_none_passes() -> None:
    assert fate_in_source("26", "dead", [FIRST_COUNT.text]) == ""  # beside "killed": the asked fate
    assert fate_in_source("22", "dead", [FIRST_COUNT.text]) == ""  # "residents were still unaccounted for"
    assert fate_in_source("92", "wounded", [FIRST_COUNT.text]) == ""  # asked for: beside it
    question = "What was the preliminary death toll given on the day of the Ternopil strike?"
    text, abstained, _ = finalize("At least 26 people were killed [1].", [FIRST_COUNT], question)
    assert not abstained and "26" in text
    # an answer naming both fates gives each its own count: not judged by this check
    text, abstained, _ = finalize("At least 26 people were killed and 92 injured [1].", [FIRST_COUNT], question)
    assert not abstained
