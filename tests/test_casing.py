"""Names put back into a question typed without capitals (`rag.casing`)."""

from __future__ import annotations

from pathlib import Path

from rag.casing import name_forms, recased
from rag.draft import finalize
from rag.prompts import ABSTAIN_TEXT
from rag.schema import Passage
from rag.store import IndexStore
from tests.fixtures.settings import make_settings

REPORTS = ["Kyiv - A Russian missile hit the Okhmatdyt children's hospital on Monday, officials said. "
           "Prime Minister Justin Trudeau and NATO allies condemned it. The minister said he may visit in May. "
           "Russia's ambassador was summoned by Global Affairs Canada, where the deputy minister received him."]


def test_words_the_reports_write_only_as_names_are_names() -> None:
    forms = name_forms(REPORTS)
    assert forms["okhmatdyt"] == "Okhmatdyt" and forms["nato"] == "NATO" and forms["trudeau"] == "Trudeau"
    assert "may" not in forms  # a month, and a verb
    assert "minister" not in forms  # "Prime Minister" and "the minister"
    assert "russia's" not in forms and "kyiv" not in forms  # capitalised only where a sentence starts


def test_a_question_typed_without_capitals_gets_its_names_back() -> None:
    question = "who at global affairs received russia's ambassador over the okhmatdyt hospital strike?"
    assert recased(question, REPORTS) == ("who at Global Affairs received russia's ambassador over the Okhmatdyt "
                                          "hospital strike?")
    assert recased("did trudeau's ministers meet nato?", REPORTS) == "did Trudeau's ministers meet NATO?"


def test_a_question_with_capitals_stands_as_typed() -> None:
    assert recased("Who met nato officials in Kyiv?", REPORTS) == "Who met nato officials in Kyiv?"
    assert recased("how many?", []) == "how many?"


def test_a_lower_case_question_naming_another_event_is_declined_once_recased() -> None:
    """holdout7 z044: the question names the Okhmatdyt strike; the report cited is about another."""
    other = Passage(source="kyiv-2025.txt", doc_id="kyiv-2025.txt", title="Strike on Kyiv kills 14", outlet="Post",
                    language="en", published="2025-08-28", score=0.5, chunk=0,
                    text="Global Affairs Canada will summon the Russian ambassador tomorrow to convey Canada's "
                         "condemnation in the clearest terms, a spokesperson said.")
    question = recased("who at global affairs received russia's ambassador when he was summoned over the okhmatdyt "
                       "children's hospital strike?", REPORTS)
    text, abstained, _ = finalize("Global Affairs Canada summoned the Russian ambassador tomorrow to convey Canada's "
                                  "condemnation in the clearest terms [1].", [other], question)
    assert abstained and text == ABSTAIN_TEXT


def test_the_index_tells_a_name_the_retrieved_reports_lack(bundled_index: Path, tmp_path: Path) -> None:
    """A real Chroma over the bundled articles: `$contains` is case-sensitive, so a word found
    capitalised and never in lower case is a name wherever it is."""
    store = IndexStore.open(make_settings(tmp_path, index_dir=bundled_index))
    assert store.name_form("stepanov") == "Stepanov"
    assert store.name_form("nato") == "NATO"
    assert store.name_form("ambassador") is None  # written in lower case too
    assert store.name_form("okhmatdyt") is None  # in no bundled article
    question = "what did stepanov say to the nato allies about the okhmatdyt strike?"
    assert recased(question, ["The allies met."], store.name_form) == ("what did Stepanov say to the NATO allies "
                                                                       "about the okhmatdyt strike?")


def test_the_index_tells_a_place_from_a_person(bundled_index: Path, tmp_path: Path) -> None:
    """A "him" of a conversation is never a place: the articles write "in Kyiv", not "in Trudeau"
    ("Justin Trudeau" holds "in Trudeau" without the space before it)."""
    store = IndexStore.open(make_settings(tmp_path, index_dir=bundled_index))
    assert store.written_as_place("Kyiv")
    assert store.written_as_place("Ottawa")
    assert not store.written_as_place("Trudeau")
    assert not store.written_as_place("Stepanov")
