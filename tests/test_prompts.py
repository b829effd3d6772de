"""The worked examples in every prompt: what they teach must be what the checks let through."""

from __future__ import annotations

import pytest

from rag.draft import Draft
from rag.prompts import (
    CITATION,
    EXAMPLES,
    MODEL_ABSTAIN,
    WORKED_EXAMPLES,
    WorkedExample,
    answer_hint,
    answer_messages,
    examples,
    format_sources,
    grouped_by_article,
    strip_citations,
)
from rag.schema import Passage


def _replayed(example: WorkedExample) -> Draft:
    draft = Draft(example.question, example.sources, "en")
    for start in range(0, len(example.answer), 5):  # streamed in small pieces, as the model writes
        draft.feed(example.answer[start : start + 5])
    draft.finish()
    return draft


@pytest.mark.parametrize("example", [ex for ex in WORKED_EXAMPLES if ex.answer != MODEL_ABSTAIN],
                         ids=lambda ex: ex.question[:40])
def test_every_worked_answer_passes_the_checks(example: WorkedExample) -> None:
    """An example answer the checks would withhold would teach the model to write what is never
    shown: each must be released whole, with its citation, over its own sources."""
    text, abstained, citations = _replayed(example).result()
    assert not abstained, _replayed(example).dropped
    assert strip_citations(text) == strip_citations(example.answer)  # nothing dropped, nothing changed
    cited = [example.sources[int(n) - 1] for n in CITATION.findall(example.answer)]
    assert [c.passage for c in citations] == cited  # renumbered for the reader, the same passages


def test_the_abstention_example_abstains_and_comes_last() -> None:
    """The abstention example stays the last one the model reads before the real question."""
    assert WORKED_EXAMPLES[-1].answer == MODEL_ABSTAIN
    assert _replayed(WORKED_EXAMPLES[-1]).result()[1]


def test_examples_are_formatted_like_real_sources() -> None:
    """Each example's sources go through `format_sources`, exactly as retrieved passages do, and
    the prefix is the same for every question (what llama.cpp's prompt cache needs)."""
    for grouped in (False, True):
        for ex, user in zip(WORKED_EXAMPLES, examples(grouped)[0::2], strict=True):
            assert user["content"] == f"Sources:\n{format_sources(ex.sources, grouped)}\n\nQuestion: {ex.question}"
        first, second = answer_messages("Who won?", [], grouped), answer_messages("Where is it?", [], grouped)
        assert first[:-1] == second[:-1] and first[-1] != second[-1]
    assert EXAMPLES == examples(False) != examples(True)


def _passage(doc_id: str, chunk: int, text: str, title: str = "") -> Passage:
    return Passage(source=f"{doc_id}.txt", doc_id=doc_id, title=title, outlet=f"{doc_id.title()} News",
                   language="en", published="2023-01-18", text=text, score=0.5, chunk=chunk)


def test_grouped_sources_name_each_article_once_above_its_passages() -> None:
    """Grouped, a label line opens each run of one article's passages and the passages under it
    carry only their number."""
    passages = [_passage("alpha", 3, "Ten tanks were sent.", "Aid [update]"),
                _passage("alpha", 7, "More followed.", "Aid [update]"), _passage("beta", 1, "Nothing was sent.")]
    assert format_sources(passages, grouped=True).splitlines() == [
        'Alpha News, 2023-01-18, "Aid (update)":', "[1] Ten tanks were sent.", "[2] More followed.",
        "Beta News, 2023-01-18:", "[3] Nothing was sent."]


def test_each_passage_names_its_outlet_and_date_and_the_first_of_an_article_its_title() -> None:
    """By default every passage keeps its report beside it (outlet, date); the title, the longest
    part of a label, comes once per article, with its first passage in the prompt."""
    passages = [_passage("alpha", 3, "Ten tanks were sent.", "Aid [update]"),
                _passage("beta", 1, "Nothing was sent.", "No aid"),
                _passage("alpha", 7, "More followed.", "Aid [update]")]
    assert format_sources(passages).splitlines() == [
        '[1] Alpha News, 2023-01-18, "Aid (update)": Ten tanks were sent.',
        '[2] Beta News, 2023-01-18, "No aid": Nothing was sent.',
        "[3] Alpha News, 2023-01-18: More followed."]


def test_a_passage_of_another_article_gets_its_own_label_even_when_unlabelled() -> None:
    """A passage without outlet, date or title must not pass for the previous article's."""
    bare = Passage(source="c.txt", doc_id="c", title="", outlet="", language="en", published="", text="Bare.",
                   score=0.1, chunk=0)
    lines = format_sources([_passage("alpha", 0, "First."), bare], grouped=True).splitlines()
    assert lines == ["Alpha News, 2023-01-18:", "[1] First.", "An article:", "[2] Bare."]


def test_grouping_keeps_the_best_passage_first_and_each_article_in_rank_order() -> None:
    """Articles come in the order of their best passage, and an article's passages in the order
    given: the first passage (the one a narrower retry falls back to) is still the best."""
    ranked = [_passage("alpha", 5, "a5"), _passage("beta", 2, "b2"), _passage("alpha", 1, "a1"),
              _passage("gamma", 0, "g0"), _passage("beta", 9, "b9")]
    assert [p.text for p in grouped_by_article(ranked)] == ["a5", "a1", "b2", "b9", "g0"]
    assert grouped_by_article([]) == []


@pytest.mark.parametrize(("question", "asked"), [
    ("Where did the G7 leaders agree to meet in June 2014?", "the place"),
    ("In which town was the media centre?", "the place"),
    ("Who received the ambassador?", "the name"),
    ("How many officials did Moscow bar?", "the number"),
    ("How much did Canada pledge?", "the amount"),
    ("When did the Russian navy attack?", "the date"),
    ("On what date did Carney visit Kyiv?", "the date"),
    ("Which company is to build the vehicles?", "the company"),
    ("How did Stepanov describe the differences?", "the fact the question asks for"),
    ("Wie viele Fahrzeuge sagte Trudeau zu?", "the fact the question asks for"),  # English openings only
])
def test_a_second_try_names_what_the_question_asks_for(question: str, asked: str) -> None:
    assert answer_hint(question) == f"(Answer with {asked} itself, from the sources; do not repeat the question.)"
