"""The summit a question names must be the subject of a report the answer cites (`rag.events`)."""

from __future__ import annotations

import pytest

from rag.draft import Draft
from rag.events import summit_named, summits_asked, summits_missing
from rag.schema import Passage


@pytest.mark.parametrize(("question", "forms"), [
    ("In which cities were the G20 summits of 2022?", [{"g20"}]),
    ("How many tanks did Canada pledge at the NATO summit in Madrid?", [{"nato", "otan", "navo"}]),
    ("Where was the summit of the G7 in 2022?", [{"g7"}]),
    ("Combien le Canada a-t-il promis au sommet du G20 à New Delhi ?", [{"g20"}]),
    ("¿Cuánto prometió Canadá en la cumbre de la OTAN en Madrid?", [{"nato", "otan", "navo"}]),
    ("Wie viel sagte Kanada beim G7-Gipfel in Elmau zu?", [{"g7"}]),
    ("Berapa yang dijanjikan Kanada di KTT G20 Bali?", [{"g20"}]),
    ("What did Canada pledge at the G7 summit and at the NATO summit?", [{"g7"}, {"nato", "otan", "navo"}]),
])
def test_the_summits_a_question_names(question: str, forms: list[set[str]]) -> None:
    assert [set(f) for f in summits_asked(question)] == forms


@pytest.mark.parametrize("question", [
    "What did Joly say at the summit?",                       # no name: nothing to check
    "What did Canada pledge at the Ukraine Recovery Conference?",
    "Who attended the emergency summit in Brussels?",
])
def test_a_question_without_a_named_summit_names_none(question: str) -> None:
    assert summits_asked(question) == []


def test_a_summit_is_named_in_a_word_or_a_compound_in_any_of_its_names() -> None:
    assert summit_named(frozenset({"nato", "otan", "navo"}), ["Kanada verhängt beim NATO-Gipfel Sanktionen"])
    assert summit_named(frozenset({"nato", "otan", "navo"}), ["Le Canada au sommet de l'OTAN"])
    assert summit_named(frozenset({"g20"}), ["KTT G20 di Bali"])
    assert not summit_named(frozenset({"g2"}), ["KTT G20 di Bali"])  # a word, not a prefix
    assert not summit_named(frozenset({"g20"}), ["G7 leaders ban Russian gold at Elmau"])


def test_a_summit_named_only_in_passing_is_missing() -> None:
    heads = ["Kanada verhängt beim NATO-Gipfel in Brüssel Sanktionen", "G7 leaders ban Russian gold"]
    assert summits_missing("In which city was the G20 summit of 2022?", heads) == ["g20"]
    assert summits_missing("What did Canada do at the NATO summit in 2022?", heads) == []


def _report(title: str, opening: str, text: str, source: str) -> tuple[Passage, str]:
    passage = Passage(source=source, doc_id=source, title=title, outlet="Herald", language="en",
                      published="2022-03-24", text=text, score=0.5, chunk=0)
    return passage, f"{title}\n\n{opening} " + "Filler about the war. " * 30 + text


def _answer(question: str, raw: str, reports: list[tuple[Passage, str]]) -> tuple[str, bool]:
    draft = Draft(question, [p for p, _ in reports], "en", articles={p.doc_id: a for p, a in reports})
    draft.feed(raw)
    draft.finish()
    shown, abstained, _ = draft.result()
    return shown, abstained


def test_an_answer_from_a_report_on_another_summit_is_withheld() -> None:
    """A report on the NATO summit in Brussels mentions the G20 in passing; it does not answer
    where the G20 summit of 2022 was, though every word of the question's names is in it."""
    text = ("Trudeau announced sanctions in Brussels against 160 Russian senators. He also said Russia "
            "should be excluded from the G20 in 2022.")
    nato = _report("Canada sanctions 160 senators at NATO summit",
                   "BRUSSELS - Trudeau spoke at the extraordinary NATO summit on Thursday.", text, "nato.txt")
    question = "In which city was the G20 summit of 2022 at which Canada announced sanctions?"
    assert _answer(question, "The G20 summit of 2022 was in Brussels [1].", [nato])[1]
    # The same answer over a report on the G20 summit itself is shown.
    g20 = _report("Canada sanctions Russians at G20 summit in Bali",
                  "NUSA DUA - Trudeau announced sanctions at the G20 summit in 2022.",
                  "Trudeau announced sanctions in Bali against 23 Russians at the G20 summit in 2022.", "g20.txt")
    shown, abstained = _answer(question, "The G20 summit of 2022 was in Bali [1].", [g20])
    assert not abstained and "Bali" in shown
