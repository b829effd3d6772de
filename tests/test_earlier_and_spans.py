"""Answers that give a later event for an earlier one, a gap for a length, or one place's figures
for two (`rag.grounding.later_than_asked`, `spans_between_events`, `places_compared`), judged
through `rag.draft` as the reader would see them."""

from __future__ import annotations

from rag.draft import finalize
from rag.grounding import later_than_asked, places_compared, spans_between_events
from rag.schema import Passage


def _report(text: str, published: str, title: str = "", source: str = "r.txt") -> Passage:
    return Passage(source=source, doc_id=source, title=title, outlet="Vantage", language="en", published=published,
                   text=text, score=0.5, chunk=0)


VILNIUS = _report("Canada pledged C$24 million at the Ukraine Reform Conference in Vilnius on July 8, 2021. The "
                  "previous conference was held in Toronto in July 2019; the next will be held in Lugano in 2022.",
                  "2021-07-08", "Canada pledges C$24 million in Vilnius")
BEFORE_VILNIUS = "Where and when was the Ukraine Reform Conference held before the one in Vilnius?"
SUMMONS = _report("The summons came four days after Global Affairs Canada called in Russia's ambassador, Oleg "
                  "Stepanov, over the attack on Kharkiv. Kealey was received by Yevgeny Tolkachev for about 25 "
                  "minutes.", "2026-10-20", "Moscow summons Canada's charge d'affaires")


def test_the_next_event_a_report_announces_is_not_the_one_before() -> None:
    assert later_than_asked("It was held in 2022 in Lugano.", BEFORE_VILNIUS, [VILNIUS]) == "2022"
    text, abstained, _ = finalize("The Ukraine Reform Conference was held in 2022 in Lugano [1].", [VILNIUS],
                                  BEFORE_VILNIUS)
    assert abstained, text


def test_the_event_before_stands() -> None:
    assert later_than_asked("It was held in Toronto in July 2019.", BEFORE_VILNIUS, [VILNIUS]) == ""
    text, abstained, _ = finalize("It was held in Toronto in July 2019 [1].", [VILNIUS], BEFORE_VILNIUS)
    assert not abstained and "Toronto" in text


def test_the_month_a_question_looks_before_is_not_an_answer() -> None:
    question = "Before the October 2026 summonses, when had Moscow last called in Canada's top diplomat?"
    assert later_than_asked("Moscow called him in on October 20.", question, [SUMMONS]) == "october"
    assert later_than_asked("Moscow called him in in March 2018.", question, [SUMMONS]) == ""
    # the question's own words restated are not the answer's date
    assert later_than_asked("Yes, he was summoned before October 2026, in March 2018.", question, [SUMMONS]) == ""
    # a question about no earlier event is not judged
    assert later_than_asked("On October 20.", "When did Moscow call in Canada's top diplomat?", [SUMMONS]) == ""


def test_a_gap_between_two_events_is_not_how_long_one_lasted() -> None:
    question = "How long did Stepanov's meeting at Global Affairs Canada last?"
    assert spans_between_events("It lasted four days.", [SUMMONS.text]) == ["four days"]
    text, abstained, _ = finalize("It lasted four days [1].", [SUMMONS], question)
    assert abstained, text
    # a length the passage gives as one stands
    text, abstained, _ = finalize("Kealey's meeting lasted about 25 minutes [1].", [SUMMONS],
                                  "How long was Kealey received by Tolkachev?")
    assert not abstained and "25 minutes" in text
    # the answer's own gap ("four days after the attack") is context, not the length it gives
    assert spans_between_events("He was summoned four days after the attack.", [SUMMONS.text]) == []


def test_two_places_side_by_side_need_a_report_from_each() -> None:
    question = "Compare how many shadow fleet vessels Canada sanctioned at the G7 in Kananaskis and at the G7 in Évian."
    assert {"kananaskis"} in [set(p) for p in places_compared(question)]
    assert {"evian"} in [set(p) for p in places_compared(question)]
    evian = _report("At the G7 summit in Évian, Prime Minister Mark Carney sanctioned 58 vessels of the shadow "
                    "fleet.", "2026-06-16", "Carney sanctions 58 vessels at the G7 in Évian", "evian.txt")
    kananaskis = _report("At the G7 summit in Kananaskis, Canada sanctioned 201 vessels of the shadow fleet.",
                         "2025-06-17", "G7 in Kananaskis: Canada lists 201 vessels", "kananaskis.txt")
    text, abstained, _ = finalize("Canada sanctioned 58 vessels at Kananaskis and 58 at Évian [1].", [evian], question)
    assert abstained, text
    text, abstained, _ = finalize("Canada sanctioned 201 vessels at Kananaskis [1] and 58 at Évian [2].",
                                  [kananaskis, evian], question)
    assert not abstained and "201" in text and "58" in text


def test_places_not_side_by_side_are_not_compared() -> None:
    question = "How much did the government in Ottawa say security for the G7 summit in Charlevoix cost?"
    assert places_compared(question) == []
    assert places_compared("How many were killed in Kharkiv?") == []
    assert places_compared("What did Joly say in Ukraine and in Latvia?") == []  # countries: one report may cover both
