"""Answer post-processing against hostile model output: every call must end, and quickly.

A model reply is untrusted text (a prompt-injected article or a question can make the model
write anything). A pattern that backtracks exponentially holds the GIL and freezes the whole
server, so each call here runs under an alarm that turns a hang into a failure.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.citations import CitationRenumberer, check_citations, renumber
from rag.documents import html_to_text, normalise_text
from rag.draft import finalize
from rag.schema import Passage
from rag.wording import split_sentences

BOUND_S = 2.0  # generous: the fixed code needs milliseconds; the old pattern needed hours


@contextmanager
def time_bound(seconds: float = BOUND_S) -> Iterator[None]:
    """Fail (instead of hanging) when a call uses more than `seconds` of CPU. `re` checks for
    signals. CPU time, not wall-clock: a busy machine slows the call without making it wrong."""

    def expire(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"call took more than {seconds} s of CPU")

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


PASSAGES = [
    Passage(source=f"{i}.txt", doc_id=f"{i}.txt", title="T", outlet="O", language="en", published="2023",
            text=text, score=0.5, chunk=0)
    for i, text in enumerate(["Trudeau announced $500 million for military equipment.",
                              "Stepanov said sanctions are useless. " * 40,
                              "Canada will send 200 armoured vehicles [sic] to Ukraine."])
]


def streamed(text: str, step: int = 3) -> str:
    renumberer = CitationRenumberer(len(PASSAGES))
    out = "".join(renumberer.feed(text[i:i + step]) for i in range(0, len(text), step))
    return out + renumberer.finish()


POSTPROCESSORS: list[Callable[[str], object]] = [
    lambda text: renumber(text, len(PASSAGES)),
    streamed,
    lambda text: check_citations(text, [p.text for p in PASSAGES]),
    lambda text: finalize(text, PASSAGES),
    split_sentences,
]

ADVERSARIAL = [
    "Lamps [1" + ", " * 5000 + "x ok",  # the reported freeze: exponential in the number of ", "
    "[Source 1" + " , source " * 3000 + "]",
    "[" * 20000,
    "[1, 2, 3" + "," * 20000,
    "a. " * 5000 + "[" * 5000,
    ("Sanctions are useless [2]. " * 2000),
    "[" + "9" * 20000 + "]",
    "[1]" * 20000,
    ". [" * 10000,
    "\u3002" * 10000 + "[1" * 5000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
@pytest.mark.parametrize("process", POSTPROCESSORS, ids=["renumber", "stream", "check", "finalize", "split"])
def test_adversarial_model_output_is_processed_in_bounded_time(process: Callable[[str], object], text: str) -> None:
    with time_bound():
        process(text)


def test_the_reported_freeze_now_keeps_the_valid_citation() -> None:
    with time_bound():
        text, order = renumber("Lamps [1" + ", " * 30 + "x [2] ok", 3)
    assert order == [1]  # only [2] is a citation; the unclosed "[1, , ," stays text
    assert "[1]" in text


MODEL_ALPHABET = st.sampled_from([*"[]()0123456789,. \n!?。sourceSOURCE", "[1]", "[2, 3]", "[Source 2]",
                                  "I don't know.", "Trudeau", "$500"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MODEL_ALPHABET, max_size=400).map("".join))
def test_random_model_output_is_processed_in_bounded_time(text: str) -> None:
    with time_bound():
        for process in POSTPROCESSORS:
            process(text)
        rendered, order = renumber(text, len(PASSAGES))
    assert all(0 <= i < len(PASSAGES) for i in order)
    assert "[0]" not in rendered


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_any_unicode_model_output_is_processed_in_bounded_time(text: str) -> None:
    with time_bound():
        _answer, abstained, citations = finalize(text, PASSAGES)
    assert abstained == (not citations)


@pytest.mark.parametrize("text", [" " * (4 * 2**20) + "x", "\t \u00a0" * 2**20 + "\n", "x \n" * 2**20])
def test_article_whitespace_runs_are_normalised_in_bounded_time(text: str) -> None:
    with time_bound():
        assert normalise_text(text).endswith("x") or normalise_text(text) == ""


@pytest.mark.parametrize("html", ["<script>" * 2**17, "<" * 2**20, "<style a='" * 2**16, "<!--" * 2**18,
                                  "<p>" + " " * 2**20 + "</p>"])
def test_hostile_html_is_stripped_in_bounded_time(html: str) -> None:
    with time_bound(5.0):
        text = html_to_text(html)
    assert "script>" not in text.lower()
