"""Figures an update replaced: "raised to 63 from 48" does not make 48 the answer."""

from __future__ import annotations

import pytest

from rag.draft import finalize
from rag.prompts import ABSTAIN_TEXT
from rag.schema import Passage
from rag.superseded import (
    asks_earlier,
    asks_final,
    asks_updated,
    final_unbacked,
    only_preliminary,
    replaced_figures,
    replaced_given,
)

UPDATE = ("The death toll from Thursday's attack has risen to 23, updated from the earlier count of 14 dead that "
          "officials gave on Thursday. The number of injured was raised to 63 from 48.")


def _update(language: str = "en", text: str = UPDATE) -> Passage:
    return Passage(source="update.txt", doc_id="update.txt", title="Kyiv strike toll rises to 23", outlet="Tribune",
                   language=language, published="2025-08-29", text=text, score=0.5, chunk=0)


@pytest.mark.parametrize(("text", "replaced"), [
    (UPDATE, {"14", "48"}),
    ("Injuries rose from 48 to 63 overnight.", {"48"}),
    ("Exports were up 5% from about 1,200 tonnes.", {"1200"}),
    ("Die Zahl der Verletzten stieg von 48 auf 63.", {"48"}),
    ("Het dodental steeg van 14 naar 23.", {"14"}),
    ("Jumlah korban tewas naik dari 14 menjadi 23.", {"14"}),
    ("Le bilan est passé de 14 à 23 morts.", {"14"}),
    ("El número de heridos pasó de 48 a 63.", {"48"}),
    ("On compte 63 blessés, contre 48 la veille.", {"48"}),
])
def test_a_figure_given_as_replaced_is_read_in_each_language(text: str, replaced: set[str]) -> None:
    assert replaced_figures(text) == replaced


@pytest.mark.parametrize("text", [
    "Canada sanctioned 48 individuals from 14 countries.",  # "from" after no change
    "Des enfants de 14 à 17 ans ont été blessés.",  # a range, not a change
    "Sanctions grew from 2014 to 2022.",  # years are spans
    "Injuries rose to 63 from 48. Of the 48 first admitted, 30 went home.",  # 48 also given plainly
    "Die Sitzung dauerte von 10 bis 12 Uhr.",
])
def test_figures_not_replaced_are_left_alone(text: str) -> None:
    assert replaced_figures(text) == set()


def test_an_answer_giving_the_replaced_figure_as_the_fact_is_withheld() -> None:
    question = "How many injured did the updated toll of August 29, 2025 count?"
    assert replaced_given("48 [1].", [UPDATE], set()) == {"48"}
    text, abstained, _ = finalize("It counted 48 injured [1].", [_update()], question)
    assert abstained and text == ABSTAIN_TEXT
    french = "Combien de blessés comptait le bilan actualisé du 29 août 2025 ?"
    text, abstained, _ = finalize("48 [1].", [_update()], french)
    assert abstained and text == ABSTAIN_TEXT


def test_the_new_figure_the_old_one_named_as_such_or_asked_for_pass() -> None:
    question = "How many injured did the updated toll of August 29, 2025 count?"
    text, abstained, _ = finalize("It counted 63 injured [1].", [_update()], question)
    assert not abstained and "63" in text
    assert replaced_given("The number of injured was raised to 63 from 48 [1].", [UPDATE], set()) == set()
    text, abstained, _ = finalize("It counted 63 injured, up from 48 [1].", [_update()], question)
    assert not abstained and "up from 48" in text
    earlier = "How many injured were initially reported after the August 2025 strike on Kyiv?"
    assert asks_earlier(earlier) and not asks_earlier(question)
    text, abstained, _ = finalize("48 injured [1].", [_update()], earlier)
    assert not abstained and "48" in text
    assert replaced_given("48 [1].", [UPDATE], {"48"}) == set()  # the asker's own number


@pytest.mark.parametrize("question", [
    "Combien de blessés comptait le premier bilan ?", "Wie viele Verletzte meldeten die Behörden zunächst?",
    "¿Cuántos heridos había en el recuento inicial?", "Berapa korban luka pada laporan awal?",
    "Hoeveel gewonden waren er aanvankelijk?", "What was the earlier count of the dead?",
])
def test_questions_about_the_earlier_figure_in_each_language(question: str) -> None:
    assert asks_earlier(question)


def test_the_original_is_read_when_a_translation_turns_the_figures_around() -> None:
    """The bundled model translated "raised to 63 from 48" as "augmenté de 63 à 48" for a French
    reader; the replaced figure is still 48."""
    from dataclasses import replace

    translated = replace(_update(), translation="Le nombre de blessés a été augmenté de 63 à 48.")
    text, abstained, _ = finalize("48 [1].", [translated], "Combien de blessés comptait le bilan actualisé ?")
    assert abstained and text == ABSTAIN_TEXT


FINAL = ("Rescuers ended the search on Friday; the final toll of the strike stood at 46 dead, including six "
         "children.")


@pytest.mark.parametrize("question", [
    "What was the final death toll of the strike once the search was over?",
    "How many people died in the end, after the search was called off?",
    "Quel était le bilan définitif de la frappe ?",
    "Wie hoch war die endgültige Opferzahl?",
    "What final tally of victims did officials give?",
])
def test_questions_about_the_final_figure(question: str) -> None:
    assert asks_final(question)


@pytest.mark.parametrize("question", [
    "How many injured did the updated toll of August 29, 2025 count?",
    "What did the final communiqué of the summit say about Ukraine?",  # "final", but no figure of a count
    "What is the most recent death toll given for the strike?",
])
def test_questions_not_about_a_final_figure(question: str) -> None:
    assert not asks_final(question)


def test_an_update_does_not_answer_a_question_about_the_final_figure() -> None:
    """The update says what the toll has risen to while people are still missing: a question
    asking for the toll once the search was over is not answered by it."""
    question = "What was the final death toll of the Kyiv strike once the search was over?"
    text, abstained, _ = finalize("The final death toll was 23 [1].", [_update()], question)
    assert abstained and text == ABSTAIN_TEXT
    assert final_unbacked([UPDATE])


def test_a_report_giving_the_final_figure_answers_it() -> None:
    question = "What was the final death toll of the Kyiv strike once the search was over?"
    passage = _update(text=FINAL)
    text, abstained, _ = finalize("The final toll was 46 dead [1].", [passage], question)
    assert not abstained and "46" in text
    assert not final_unbacked([FINAL])
    # the same check leaves questions about other figures alone
    text, abstained, _ = finalize("It counted 63 injured [1].", [_update()],
                                  "How many injured did the updated toll of August 29, 2025 count?")
    assert not abstained


PRELIMINARY = ("Canada will summon Russia's ambassador after a missile strike on Ternopil killed at least 26 people, "
               "including three children. The figure is a preliminary count; officials warned it was likely to rise.")


def test_a_first_report_does_not_answer_a_question_about_the_updated_figure() -> None:
    """holdout6 y017: "the updated death toll" answered with the first report's preliminary 26."""
    question = "What was the updated death toll from the Ternopil missile strike?"
    assert asks_updated(question) and only_preliminary([PRELIMINARY])
    first = _update(text=PRELIMINARY)
    text, abstained, _ = finalize("The updated death toll was 26 [1].", [first], question)
    assert abstained and text == ABSTAIN_TEXT


def test_an_update_or_a_question_about_the_first_count_passes() -> None:
    question = "What was the updated death toll from the Kyiv strike?"
    assert not only_preliminary([UPDATE])  # "has risen to 23, updated from the earlier count of 14"
    text, abstained, _ = finalize("The updated death toll was 23 [1].", [_update()], question)
    assert not abstained and "23" in text
    first = _update(text=PRELIMINARY)
    asked_first = "What was the preliminary death toll from the Ternopil missile strike?"
    assert not asks_updated(asked_first)
    text, abstained, _ = finalize("The preliminary death toll was at least 26 [1].", [first], asked_first)
    assert not abstained and "26" in text
    assert asks_updated("Quel est le bilan actualisé de la frappe ?")
    assert not asks_updated("How many people died in the strike?")
    assert not asks_updated("What is the latest death toll of the strike?")  # a first report's may be the latest
