"""The model's own token log-probabilities: an answer it wrote unsurely is withheld (`rag.confidence`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.confidence import UNSURE_LOGPROB, TokenLog, unsure
from rag.draft import Draft
from rag.evaluation.scoring import Case, score_case
from rag.llm import ChatModel
from rag.schema import Passage
from tests.fixtures.assistants import cite_source_with
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.settings import make_settings

HIROSHIMA = Passage(source="hiroshima.txt", doc_id="hiroshima.txt", title="G7 summit in Hiroshima", outlet="Herald",
                    language="en", published="2023-05-20", score=0.5, chunk=0,
                    text="At the G7 summit in Hiroshima, Canada sanctioned 17 individuals and 35 entities, "
                         "Prime Minister Trudeau said on Saturday.")
QUESTION = "How many entities did Canada sanction at the G7 summit in Hiroshima?"


def logged(pieces: list[tuple[str, float | None]]) -> tuple[TokenLog, str]:
    log, raw = TokenLog(), ""
    for text, logprob in pieces:
        log.add(len(raw), text, logprob)
        raw += text
    return log, raw


def test_the_least_sure_words_count_words_not_punctuation_or_citation_marks() -> None:
    log, raw = logged([("Canada", -0.2), (" sanctioned", -0.4), (" 35", -0.6), (" [", -5.0), ("1", -5.0),
                       ("]", -5.0), (".", -5.0)])
    assert log.least_sure(raw) == pytest.approx(-0.4)  # fewer than five word pieces: all of them
    assert log.least_sure(raw, count=2) == pytest.approx(-0.5)


def test_one_guessed_word_among_fluent_ones_makes_an_answer_unsure() -> None:
    """What the fitted statistic is for: the mean of a long answer hides its one guessed name."""
    fluent = [(f" word{i}", -0.02) for i in range(20)]
    log, raw = logged([*fluent[:10], (" Lavrov", -3.5), *fluent[10:]])
    assert unsure(log.least_sure(raw))
    log, raw = logged(fluent)
    assert not unsure(log.least_sure(raw))


def test_no_log_probabilities_means_nothing_is_judged() -> None:
    log, raw = logged([("Canada", None), (" sanctioned 35 entities [1].", None)])
    assert log.least_sure(raw) is None and not unsure(None)


def test_the_threshold_separates_sure_from_unsure() -> None:
    assert unsure(UNSURE_LOGPROB - 0.01) and not unsure(UNSURE_LOGPROB + 0.01)


@pytest.mark.parametrize(("least_sure", "withheld"), [
    (-0.703, True),   # holdout7 z012: a Navalny summons of one year for "which ambassadors, which years"
    (-0.708, True),   # public p16, withheld in every run since the threshold was chosen
    (-0.668, False),  # dev d079, right: what a threshold of -0.65 withheld on CI's dev subset
    (-0.626, False),  # holdout6 y001 "11 [1]", right
])
def test_recorded_answers_either_side_of_the_threshold(least_sure: float, withheld: bool) -> None:
    """Answers recorded by `rag eval` near the threshold, on the side it puts them."""
    assert unsure(least_sure) is withheld


def drafted(answer: str, logprob: float | None) -> Draft:
    draft = Draft(QUESTION, [HIROSHIMA], "en")
    for i in range(0, len(answer), 3):
        draft.feed(answer[i:i + 3], logprob)
    draft.finish()
    return draft


def test_an_answer_written_unsurely_is_withheld_with_the_reason() -> None:
    draft = drafted("Canada sanctioned 35 entities [1].", -1.2)
    _, abstained, citations = draft.result()
    assert abstained and not citations and draft.withheld
    assert any("unsure" in why for why in draft.dropped)


@pytest.mark.parametrize("logprob", [-0.05, None])
def test_the_same_answer_written_surely_or_without_log_probabilities_is_shown(logprob: float | None) -> None:
    text, abstained, citations = drafted("Canada sanctioned 35 entities [1].", logprob).result()
    assert not abstained and "35 entities" in text and [c.passage.source for c in citations] == ["hiroshima.txt"]


def test_log_probabilities_travel_over_the_openai_protocol(tmp_path: Path, bundled_index: Path,
                                                           stub: OpenAIStub) -> None:
    """A real HTTP server streaming llama.cpp-style `logprobs`: sure, the answer is shown; unsure,
    withheld (the closest passages still offered)."""
    stub.behaviour.reply = cite_source_with("$500 million", "Trudeau announced $500 million [{n}].")
    settings = make_settings(tmp_path, index_dir=bundled_index, llm="openai", openai_base_url=stub.base_url,
                             openai_api_key="sk-test", llm_model="stub-model")
    model = ChatModel(stub.base_url, "sk-test", "stub-model", timeout=10, max_retries=0, logprobs=True)
    bot = Assistant(settings, chat_model=model)
    question = "How much money did Trudeau announce for military equipment?"
    stub.behaviour.logprob = -0.02
    sure = bot.ask(question)
    assert stub.behaviour.requests[-1]["logprobs"] is True
    assert not sure.abstained and "$500 million" in sure.text
    assert sure.certainty == pytest.approx(-0.02) and not sure.held_back  # recorded for `rag eval`
    stub.behaviour.logprob = -2.0
    unsure_answer = bot.ask(question)
    assert unsure_answer.abstained and unsure_answer.retrieved
    assert unsure_answer.certainty == pytest.approx(-2.0)
    assert any("unsure" in why for why in unsure_answer.held_back), unsure_answer.held_back
    case = Case(id="c1", question=question, expect=[["500 million"]], sources=["x.txt"], answerable=True,
                kind="factual")
    row = score_case(case, unsure_answer)
    assert row["certainty"] == pytest.approx(-2.0) and row["held_back"] == unsure_answer.held_back


def test_a_model_not_asked_for_log_probabilities_is_not_sent_the_parameter(stub: OpenAIStub) -> None:
    model = ChatModel(stub.base_url, "sk-test", "stub-model", timeout=10, max_retries=0)
    tokens = list(model.stream_tokens([{"role": "user", "content": "hi"}]))
    assert "logprobs" not in stub.behaviour.requests[-1]
    assert tokens and all(t.logprob is None for t in tokens)
