"""Relative dates ("last spring", "l'an dernier") resolved against the report's own date, and what
the checks and the reranker make of them."""

from __future__ import annotations

import pytest

from rag.grounding import missing_pins
from rag.relative_dates import resolved, spoken_dates
from rag.rerank import rerank
from rag.schema import Passage


@pytest.mark.parametrize(("text", "published", "dates"), [
    ("Moscow last spring banned nine Canadian officials.", "2022-01", {(2021, 0)}),
    ("an offer first made last December", "2022-01-20", {(2021, 12)}),
    ("Last year it sanctioned 10 people; two years ago none; next year more.", "2023-05-20",
     {(2022, 0), (2021, 0), (2024, 0)}),
    ("last month and this month", "2022-01-05", {(2021, 12), (2022, 1)}),
    ("L'an dernier, le printemps dernier", "2024-07-10", {(2023, 0), (2024, 0)}),
    ("Im vergangenen Jahr, im vergangenen März", "2024-02-24", {(2023, 0), (2023, 3)}),
    ("l'anno scorso, lo scorso marzo", "2023-05-20", {(2022, 0), (2023, 3)}),
    ("tahun lalu, Maret lalu, tahun ini", "2023-05-20", {(2022, 0), (2023, 3), (2023, 0)}),
    ("last May", "2022-05-30", {(2021, 5)}),  # the May before this one
])
def test_relative_expressions_are_resolved_against_the_report_date(text: str, published: str,
                                                                    dates: set[tuple[int, int]]) -> None:
    assert spoken_dates(text, published) == dates


@pytest.mark.parametrize(("text", "published"), [
    ("This may take weeks.", "2022-01-05"),  # the modal, not the month
    ("In 2019 Canada acted; the previous year, and a year earlier, it had not.", "2022-01-05"),  # the story's time
    ("It happened in March.", "2022-01-05"),  # which March is not said
    ("Last year Canada acted.", ""),  # no date to count from
])
def test_expressions_that_do_not_say_when_are_left_alone(text: str, published: str) -> None:
    assert spoken_dates(text, published) == set()
    assert resolved(text, published) == text


def test_the_resolved_date_is_written_after_the_expression() -> None:
    assert resolved("Moscow last spring banned nine officials. Last December it invited Joly.", "2022-01") == (
        "Moscow last spring (spring 2021) banned nine officials. Last December (December 2021) it invited Joly.")


def _passage(text: str, published: str, source: str) -> Passage:
    return Passage(source=source, doc_id=source, title="", outlet="Herald", language="en", published=published,
                   text=text, score=0.5, chunk=0)


SPRING = _passage("Despite the invitation, Moscow last spring banned nine Canadian officials from entering the "
                  "country.", "2022-01-20", "invite.txt")
APRIL = _passage("Moscow barred 61 Canadian citizens from entering the country.", "2022-04-21", "bans.txt")


def test_a_report_speaking_of_the_year_asked_relatively_is_about_it() -> None:
    question = "How many Canadian officials did Moscow ban in spring 2021?"
    # Passed: the January 2022 report's "last spring" is spring 2021.
    assert not missing_pins(question, [SPRING], "en", {}, [SPRING]).dates
    # Rejected: a report of 2022 that says nothing of 2021.
    assert missing_pins(question, [APRIL], "en", {}, [APRIL]).dates
    # Reranked: no longer pushed below another year's report for naming no year.
    assert rerank(question, [APRIL, SPRING])[0] is SPRING


def test_an_answer_from_a_report_that_dates_the_event_relatively_is_shown() -> None:
    from rag.draft import finalize

    question = "How many Canadian officials did Moscow ban in spring 2021?"
    text, abstained, _ = finalize("Moscow banned nine Canadian officials [1].", [SPRING], question)
    assert not abstained and "nine" in text
    assert finalize("Moscow barred 61 Canadian citizens [1].", [APRIL], question)[1]
