"""Elliptic follow-ups completed from the previous question (`rag.ellipsis`), and the cases left
to the LLM because the completion would be a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.ellipsis import completions
from rag.prompts import parse_choice
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.served import stub_settings

COMPLETED = [
    ("And Canada?", "How many Russian diplomats did the United States expel on March 26, 2018?",
     "How many Russian diplomats did Canada expel on March 26, 2018?"),
    ("And how much humanitarian aid?", "What weapons did Trudeau promise at the summit?",
     "How much humanitarian aid did Trudeau promise at the summit?"),
    ("And how many entities?", "How many individuals did Canada sanction on February 24, 2024?",
     "How many entities did Canada sanction on February 24, 2024?"),
    ("And who else?", "Who did Joly meet in Toronto?", "Who else did Joly meet in Toronto?"),
    ("And in 2023?", "How many people did Canada sanction in March 2022?",
     "How many people did Canada sanction in 2023?"),
    ("And 2023?", "How many people did Canada sanction in March 2022?",
     "How many people did Canada sanction in 2023?"),
    ("What about Germany?", "How much did Canada's government pledge at the summit?",
     "How much did Germany's government pledge at the summit?"),
    ("And NATO?", "Which leader left the G7 summit early?", "Which leader left the NATO summit early?"),
    ("and the United Kingdom", "How many Russian diplomats did Canada expel in March 2018?",
     "How many Russian diplomats did the United Kingdom expel in March 2018?"),
]

CHOICES = [  # the LLM picks one by number
    ("And Macron?", "What did Trudeau announce at the NATO summit in Vilnius?",
     ["What did Macron announce at the NATO summit in Vilnius?",
      "What did Trudeau announce at the Macron summit in Vilnius?",
      "What did Trudeau announce at the NATO summit in Macron?"]),
    ("And in 2023?", "How many people did Canada sanction in 2022 and on May 3, 2024?",
     ["How many people did Canada sanction in 2023 and on May 3, 2024?",
      "How many people did Canada sanction in 2022 and in 2023?"]),
]

LEFT_TO_THE_LLM = [
    ("And Canada?", "What did Canada announce at the summit?"),  # the name is already there
    ("And Kuleba?", "What did Joly, Trudeau, Blinken and Cleverly say in Kyiv?"),  # too many to choose from
    ("And in the previous list?", "How many Canadians did Russia bar on April 21, 2022?"),  # not a date
    ("And why?", "How many soldiers did Russia lose?"),  # too little to splice
    ("And how many died?", "How many soldiers did Russia lose?"),  # a verb: a question of its own
    ("And what are the two countries' militaries doing together?", "Who had he met?"),
    ("And Canada?", "Who left the summit early?"),  # the question word is the only name-like word
    ("What did he say about the sanctions?", "Who is Russia's ambassador to Canada?"),  # not elliptic
    ("Et le Canada ?", "Combien de diplomates les États-Unis ont-ils expulsés ?"),  # English only
    ("And Canada?", ""),
]


@pytest.mark.parametrize(("question", "previous", "expected"), COMPLETED)
def test_an_ellipsis_is_completed_from_the_previous_question(question: str, previous: str, expected: str) -> None:
    assert completions(question, previous) == [expected]


@pytest.mark.parametrize(("question", "previous", "expected"), CHOICES)
def test_an_ellipsis_that_fits_several_places_gives_each_completion(question: str, previous: str,
                                                                    expected: list[str]) -> None:
    assert completions(question, previous) == expected


@pytest.mark.parametrize(("question", "previous"), LEFT_TO_THE_LLM)
def test_a_follow_up_that_is_no_ellipsis_or_too_open_is_left_to_the_llm(question: str, previous: str) -> None:
    assert completions(question, previous) == []


@pytest.mark.parametrize(("reply", "expected"), [("2", "b"), ("2.", "b"), (" 1. What", "a"), ("3", None),
                                                 ("0", None), ("the second", None), ("", None)])
def test_the_models_choice_is_read_by_number_and_nothing_else(reply: str, expected: str | None) -> None:
    assert parse_choice(reply, ["a", "b"]) == expected


def test_a_completed_ellipsis_is_searched_without_a_rewrite_call(tmp_path: Path, bundled_index: Path,
                                                                  stub: OpenAIStub) -> None:
    stub.behaviour.reply = "I don't know: the articles don't say."
    settings = stub_settings(tmp_path, bundled_index, stub)
    bot = Assistant(settings)

    def rewrites() -> list[str]:
        return [r["messages"][-1]["content"] for r in stub.behaviour.requests
                if "Rewritten question" in r["messages"][-1]["content"]]

    history = [{"role": "user", "content": "How many armoured vehicles did the United States promise?"},
               {"role": "assistant", "content": "The articles don't say."}]
    answer = bot.ask("And Canada?", history)
    assert answer.standalone_question == "How many armoured vehicles did Canada promise?"
    assert rewrites() == []
    # completed but still pointing back ("the same occasion"): the LLM gets the completion to resolve
    history = [{"role": "user", "content": "What weapons did Trudeau promise on the same occasion?"},
               {"role": "assistant", "content": "The articles don't say."}]
    bot.ask("And how much humanitarian aid?", history)
    assert len(rewrites()) == 1
    assert "Last question: How much humanitarian aid did Trudeau promise on the same occasion?" in rewrites()[0]


def test_the_llm_picks_among_completions_and_a_reply_that_names_none_falls_back_to_the_rewrite(
        tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    picks = {"choice": "2"}

    def reply(request: dict[str, object]) -> str:
        user = str(request["messages"][-1]["content"])  # type: ignore[index]
        if user.endswith("Number:"):
            return picks["choice"]
        if "Rewritten question" in user:
            return "What did Trudeau say in Madrid in 2022?"
        return "I don't know: the articles don't say."

    stub.behaviour.reply = reply
    settings = stub_settings(tmp_path, bundled_index, stub)
    bot = Assistant(settings)
    history = [{"role": "user", "content": "What did Trudeau announce at the NATO summit in Vilnius?"},
               {"role": "assistant", "content": "The articles don't say."}]
    assert bot.ask("And Madrid?", history).standalone_question == \
        "What did Trudeau announce at the Madrid summit in Vilnius?"
    picks["choice"] = "none of them"
    assert bot.ask("And Madrid?", history).standalone_question == "What did Trudeau say in Madrid in 2022?"
