"""Who a follow-up's "he" or "she" stands for when the LLM rewrite fails (`rag.referents`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.followups import drops_names
from rag.referents import conversation_names, is_question, singular_pronouns, with_referent
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.served import stub_settings

TOUR = [{"role": "user", "content": "Where did Joly travel in January 2022?"},
        {"role": "assistant", "content": "To Ukraine, the first leg of a three-country tour that also includes "
                                         "France and Brussels [1]."},
        {"role": "user", "content": "Who did she meet in Ukraine on Monday?"},
        {"role": "assistant", "content": "Ukraine's prime minister and deputy prime minister [1]."}]
BANS = [{"role": "user", "content": "Who announced Russia's April 2022 entry bans on Canadians?"},
        {"role": "assistant", "content": "Foreign Ministry spokeswoman Maria Zakharova, at her weekly briefing "
                                         "in Moscow [1]."}]


def test_the_names_a_she_could_stand_for_leave_out_places_months_titles_and_nationalities() -> None:
    assert conversation_names(TOUR, "And who will she see in Brussels?") == ["Joly"]  # not France, Ukraine, January
    assert conversation_names(BANS, "Which spokesperson responded to her?") == ["Maria Zakharova"]
    titled = [{"role": "user", "content": "Who appeared with Joly in Kyiv?"},
              {"role": "assistant", "content": "British Foreign Secretary James Cleverly [1]."}]
    assert conversation_names(titled, "What did he say?") == ["James Cleverly", "Joly"]  # most recent first
    # Must reject: a name the follow-up gives itself is not what its pronoun stands for.
    assert conversation_names(titled, "What did Joly say to him?") == ["James Cleverly"]
    assert conversation_names([{"role": "user", "content": "Four diplomats left. Likely yes."}], "Who?") == []


def test_the_name_takes_the_first_pronouns_place_as_subject_object_or_possessive() -> None:
    assert with_referent("And who will she see in Brussels?", "Joly") == "Who will Joly see in Brussels?"
    assert with_referent("Which spokesperson responded to her?", "Maria Zakharova") == \
        "Which spokesperson responded to Maria Zakharova?"
    assert with_referent("Where did her tour end?", "Joly") == "Where did Joly's tour end?"
    assert with_referent("What did he promise during his visit?", "Trudeau") == \
        "What did Trudeau promise during his visit?"
    assert singular_pronouns("What did they say about it?") == []  # "they" may be several people


@pytest.mark.parametrize(("question", "rewrite"), [
    ("Which Global Affairs Canada spokesperson responded to her?",
     "Who did Foreign Ministry spokeswoman Maria Zakharova respond to?"),
    ("What did she tell the Rheinland-Echo?", "What did Maria Zakharova tell reporters?"),
])
def test_a_rewrite_that_drops_the_questions_names_is_rejected(question: str, rewrite: str) -> None:
    assert drops_names(rewrite, question)


@pytest.mark.parametrize(("question", "rewrite"), [
    ("What did she say Canada would bear?", "What did Maria Zakharova say Canada would bear?"),
    ("And how many Canadian troops will be there by 2026?", "How many Canadian troops will be in Latvia by 2026?"),
])
def test_a_rewrite_that_keeps_the_questions_names_passes(question: str, rewrite: str) -> None:
    assert drops_names(rewrite, question) == []


def test_a_statement_is_not_a_question() -> None:
    assert not is_question("Foreign Ministry spokeswoman Maria Zakharova, at her weekly briefing, responded to her.")
    assert is_question("Which Global Affairs Canada spokesperson responded to Maria Zakharova?")


def test_a_failed_rewrite_is_replaced_by_the_question_with_the_name_the_model_picks(
        tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    """The rewrite gives back a statement; the only candidate is put in without a call, and
    among several the model's pick by number is."""
    def reply(request: dict[str, object]) -> str:
        messages = request["messages"]  # type: ignore[index]
        user, system = str(messages[-1]["content"]), str(messages[0]["content"])  # type: ignore[index]
        if "Rewritten question" in user:
            return "Foreign Ministry spokeswoman Maria Zakharova responded to her."
        if "Who is" in system:
            return "2"
        return "I don't know."

    stub.behaviour.reply = reply
    bot = Assistant(stub_settings(tmp_path, bundled_index, stub))
    # (ending with the date the reader's question gave: `rag.followups.with_conversation_date`)
    assert bot.standalone("Which spokesperson responded to her?", BANS) == \
        "Which spokesperson responded to Maria Zakharova, in April 2022?"
    assert not any("Who is" in str(r["messages"][0]["content"]) for r in stub.behaviour.requests)
    titled = [{"role": "user", "content": "Who appeared with Joly in Kyiv?"},
              {"role": "assistant", "content": "British Foreign Secretary James Cleverly [1]."}]
    assert bot.standalone("What did she say to the reporters?", titled) == "What did Joly say to the reporters?"
    assert any("Who is" in str(r["messages"][0]["content"]) for r in stub.behaviour.requests)


def test_countries_are_known_in_every_language_of_the_corpus() -> None:
    """CLDR's names (`rag.territories`), Polish and Ukrainian included."""
    from rag.rerank import fold
    from rag.territories import is_country

    for name in ("Canada", "Kanada", "Ukraina", "Francja", "Україна", "Royaume-Uni"):
        assert is_country(frozenset(fold(name).replace("-", " ").split()) | {fold(name)}), name
    assert not is_country(frozenset({"stepanov"})) and not is_country(frozenset({"kemerdekaan"}))
