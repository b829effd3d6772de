"""The person an answer names must hold the role the question asks for (`rag.roles`)."""

from __future__ import annotations

import pytest

from rag.draft import Draft, finalize
from rag.roles import asked_role, named_as
from rag.schema import Passage

BANS = Passage(
    source="bans.txt", doc_id="bans.txt", title="Russia bans 61 Canadians", outlet="Herald", language="en",
    published="2022-04-21", score=0.5, chunk=0,
    text=("Foreign Ministry spokeswoman Maria Zakharova said Canada would bear the consequences. On Tuesday, "
          "March 15, 2022, Moscow banned 313 Canadians, including Trudeau and Foreign Affairs Minister Melanie Joly. "
          "Adrienne Leclair, a spokesperson for Global Affairs Canada, said Canada \"will not be "
          "intimidated\" and that the bans were a badge of honour."))
QUESTION = "Which Global Affairs Canada spokesperson responded to Maria Zakharova?"

ROLE_QUESTIONS = [
    ("Which Global Affairs Canada spokesperson responded to her?", "spokes"),
    ("Who is Russia's ambassador to Canada?", "ambassador"),
    ("Which British minister appeared alongside Joly in Toronto?", "minister"),
    ("Which Latvian prime minister announced the expansion with Trudeau?", "prime minister"),
    ("Who was the Canadian prime minister who announced sanctions in 2014?", "prime minister"),
]
NOT_ROLE_QUESTIONS = [
    "What did the minister say about the sanctions?",  # asks what was said, not who
    "Who was the spy?",  # no role of the list
    "Which countries did the minister visit?",  # "countries" is what is asked
    "How many diplomats did Canada expel?",
    "Which leaders accompanied Trudeau in Kyiv?",  # a report names them without a title: "arrived with Meloni"
]


@pytest.mark.parametrize(("question", "role"), ROLE_QUESTIONS)
def test_a_question_asking_for_a_person_by_role_is_recognised(question: str, role: str) -> None:
    assert role in asked_role(question)


@pytest.mark.parametrize("question", NOT_ROLE_QUESTIONS)
def test_other_questions_ask_for_no_role(question: str) -> None:
    assert asked_role(question) == ()


def test_a_name_counts_only_beside_its_role_in_one_sentence() -> None:
    role = asked_role(QUESTION)
    assert named_as(frozenset({"adrienne", "leclair"}), role, [BANS.text])
    assert not named_as(frozenset({"melanie", "joly"}), role, [BANS.text])  # a minister, named a sentence before
    british = asked_role("Which British minister appeared alongside Joly?")
    assert named_as(frozenset({"james", "cleverly"}), british, ["British Foreign Secretary James Cleverly said."])


def test_an_answer_naming_someone_who_does_not_hold_the_role_is_withheld() -> None:
    """The cited report names Joly, so every name check passed; she is not the spokesperson."""
    draft = Draft(QUESTION, [BANS], "en")
    draft.feed("The spokesperson who responded was Melanie Joly [1].")
    draft.finish()
    text, abstained, _ = draft.result()
    assert abstained and "Joly" not in text
    assert any("not beside the role asked about" in why for why in draft.dropped)
    # Passes: the person the report gives that role.
    text, abstained, _ = finalize("Adrienne Leclair responded for Global Affairs Canada [1].", [BANS], QUESTION)
    assert not abstained and "Leclair" in text
