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
    answer_messages,
    format_sources,
    strip_citations,
)


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
    for ex, user in zip(WORKED_EXAMPLES, EXAMPLES[0::2], strict=True):
        assert user["content"] == f"Sources:\n{format_sources(ex.sources)}\n\nQuestion: {ex.question}"
    first, second = answer_messages("Who won?", []), answer_messages("Where is it?", [])
    assert first[:-1] == second[:-1] and first[-1] != second[-1]
