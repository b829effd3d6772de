"""Passages in another language than the question, and passages cut at a chunk boundary.

Against the real stub server and a real Chroma index of the bundled articles: the stub plays a
model that can only read English, so the Indonesian article is answerable only once translated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.draft import may_be_abstention
from rag.language import detect
from rag.prompts import ABSTAIN_TEXT
from rag.retrieval import join_overlapping
from tests.fixtures.assistants import openai_assistant
from tests.fixtures.openai_stub import OpenAIStub
from ui.render import citation_card

INDONESIAN = "000_b04c980d226a749c.txt"
QUESTION = "Which Russian missile did Ukraine say hit the apartment building in Dnipro?"


def english_only_model(request: dict[str, Any]) -> str:
    """Translates anything it is asked to; answers only from English source lines naming the missile."""
    system = request["messages"][0]["content"]
    user = request["messages"][-1]["content"]
    if system.startswith("Translate"):
        assert "into English" in system
        return "Ukraine reported that the building was hit by a Russian Kh-22 missile." if "Kh-22" in user else user
    for line in user.splitlines():
        if line.startswith("[") and "hit by a Russian Kh-22 missile" in line:
            return f"Ukraine said a Russian Kh-22 missile hit the building [{line[1:line.index(']')]}]."
    return "I don't know."


@pytest.mark.parametrize("text,code", [
    (QUESTION, "en"),
    ("Berapa banyak kendaraan lapis baja yang akan dikirim Kanada ke Ukraina?", "id"),
    ("Qui est l'ambassadeur de Russie au Canada ?", "fr"),
    ("Kh-22?", ""),  # too short to tell: never translate on a guess
])
def test_language_detection(text: str, code: str) -> None:
    assert detect(text) == code


def test_join_overlapping_drops_the_repeated_text() -> None:
    first = "The council met on Monday. It approved the new bridge budget."
    assert join_overlapping(first, "It approved the new bridge budget. Work starts in May.") == (
        "The council met on Monday. It approved the new bridge budget. Work starts in May.")
    assert join_overlapping("No overlap here.", "Another sentence.") == "No overlap here.\nAnother sentence."


def test_may_be_abstention_holds_only_the_fixed_sentence() -> None:
    assert may_be_abstention("I don") and may_be_abstention("I don’t know.") and may_be_abstention(" i don't know.")
    assert not may_be_abstention("In Bali")
    assert not may_be_abstention("I did") and not may_be_abstention("Indonesia")
    # Text that starts with the sentence is an abstention for `finalize` too, so it stays held.
    assert may_be_abstention("I don't know. Maybe [1].")


def test_translation_turns_an_abstention_into_a_cited_answer(tmp_path: Path, untranslated_index: Path,
                                                            stub: OpenAIStub) -> None:
    """The fallback for passages with no stored translation: translate them and ask again."""
    stub.behaviour.reply = english_only_model
    bot = openai_assistant(tmp_path, untranslated_index, stub)
    stream = bot.stream(QUESTION)
    tokens = list(stream)
    answer = stream.answer
    assert answer is not None and not answer.abstained
    assert "Kh-22" in answer.text and "I don't know" not in "".join(tokens)  # the draft abstention never showed
    assert [c.passage.source for c in answer.citations] == [INDONESIAN]
    cited = answer.citations[0].to_dict()
    assert "rudal Kh-22" in cited["text"] and "Kh-22 missile" in cited["translation"]  # both, for checking
    assert "translate" in answer.timings_ms
    card = citation_card(answer.citations[0], answer, 0)
    assert "rudal Kh-22" in card and "Machine translation" in card
    assert "<mark>Ukraine reported that the building was hit by a Russian Kh-22 missile.</mark>" in card
    translations = [r for r in stub.behaviour.requests if r["messages"][0]["content"].startswith("Translate")]
    assert translations and all(r["messages"][1]["content"].count("\n") == 0 for r in translations)  # fenced

    before = len(stub.behaviour.requests)
    assert not bot.ask(QUESTION).abstained
    again = [r for r in stub.behaviour.requests[before:] if r["messages"][0]["content"].startswith("Translate")]
    assert again == []  # translations are remembered

    before = len(stub.behaviour.requests)
    fresh = openai_assistant(tmp_path, untranslated_index, stub)  # the next process: the same cache directory
    assert "Kh-22" in fresh.ask(QUESTION).text
    again = [r for r in stub.behaviour.requests[before:] if r["messages"][0]["content"].startswith("Translate")]
    assert again == []  # remembered across processes, in the translation cache


def test_without_a_usable_translation_cache_passages_are_still_translated(tmp_path: Path, untranslated_index: Path,
                                                                          stub: OpenAIStub) -> None:
    stub.behaviour.reply = english_only_model
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    bot = openai_assistant(tmp_path, untranslated_index, stub, model_cache_dir=blocker)
    answer = bot.ask(QUESTION)
    assert not answer.abstained and "Kh-22" in answer.text


def test_no_translation_when_switched_off(tmp_path: Path, untranslated_index: Path, stub: OpenAIStub) -> None:
    stub.behaviour.reply = english_only_model
    bot = openai_assistant(tmp_path, untranslated_index, stub, translate=False)
    stream = bot.stream(QUESTION)
    assert list(stream) == [ABSTAIN_TEXT]  # held back, then the fixed sentence once
    assert stream.answer is not None and stream.answer.abstained
    assert not any(r["messages"][0]["content"].startswith("Translate") for r in stub.behaviour.requests)


def test_best_passage_is_widened_with_its_neighbours(tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    bot = openai_assistant(tmp_path, bundled_index, stub)
    question = "Who is the spokesperson who gave Joly's office's statement to CTV?"
    hits = bot.retriever.retrieve(question)[:4]
    narrow = bot.retriever.widen(hits, 0, 0)
    wide = bot.retriever.widen(hits, 1, 1)
    assert [p.text for p in narrow] == [p.text for p in hits]
    assert hits[0].text in wide[0].text and len(wide[0].text) > len(hits[0].text)
    assert "Proteau" in wide[0].text and "Proteau" not in hits[0].text  # the attribution was in the next chunk
    assert [p.text for p in wide[1:]] == [p.text for p in hits[1 : len(wide)]] or len(wide) < len(hits)
    assert wide[0].text.count("Joly’s office confirmed") == 1  # the chunk overlap is not repeated
