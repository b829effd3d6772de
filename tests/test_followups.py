"""When a question in a conversation is searched as it is, and when it goes to the LLM rewrite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.followups import stands_alone, unresolved, with_previous_question
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.served import stub_settings


def _rewriting_as(rewrite: str) -> Callable[[dict[str, object]], str]:
    """A stub model that rewrites every follow-up as `rewrite` and knows no answer."""
    def reply(request: dict[str, object]) -> str:
        user = str(request["messages"][-1]["content"])  # type: ignore[index]
        return rewrite if "Rewritten question" in user else "I don't know."

    return reply

MUST_REWRITE = [
    "What did he say about the sanctions?",
    "And when was that?",
    "How much will that cost?",
    "How is that loan to be repaid?",  # "that" before a noun: the loan of the previous turn
    "Who signed that agreement in the end?",
    "How much military aid did Canada announce there?",  # a name, but "there" is the earlier place
    "What weapons did Trudeau promise on the same occasion?",
    "Where was Trudeau heading afterwards?",
    "Why?",
    "And in 2023?",
    "What about Germany?",
    "Which Global Affairs Canada spokesperson responded to her?",  # "her" is a person, not the ministry
    "How did the Kremlin react to it?",  # a closing "it": the event of the conversation, not the Kremlin
    "What did Canada's foreign minister say Ottawa would do about it?",
    "Qu'a-t-elle annoncé ensuite ?",
    "Was hat er danach gesagt?",
    "Apa yang dia katakan tentang sanksi?",
    "Berapa jumlah bantuannya?",
    "Which companies were among the entities?",  # names nothing of its own: the conversation's entities
]
MUST_SKIP = [
    "Who is Russia's ambassador to Canada?",
    "What did Trudeau announce during his first visit to Kyiv in May 2022?",  # "his" is Trudeau's
    "What did Stepanov say the Russian embassy and its consular institutions would keep doing?",
    "Are there sanctions on Russian diamonds in the articles?",  # existential "there"
    "Which minister said that Canada would expel four diplomats?",  # "that" as a conjunction
    "Did Freeland announce that four Russian diplomats would be expelled?",
    "Which official said that the four diplomats had five days to leave Canada?",
    "Combien de diplomates russes ont été expulsés le 26 mars 2018 ?",
    "Wie viele Schuss Munition liefert Kanada an die Ukraine?",
    "What did Canada say it would do about the Kerch sailors?",  # "it" is Canada's, and not closing
    "Quanto vale ogni anno per Mosca il commercio dei diamanti russi?",
]


@pytest.mark.parametrize("question", MUST_REWRITE)
def test_questions_that_point_back_go_to_the_rewrite(question: str) -> None:
    assert not stands_alone(question)


@pytest.mark.parametrize("question", MUST_SKIP)
def test_questions_that_name_their_subject_are_searched_as_they_are(question: str) -> None:
    assert stands_alone(question)


def test_a_standalone_question_in_a_conversation_costs_no_rewrite_call(tmp_path: Path, bundled_index: Path,
                                                                       stub: OpenAIStub) -> None:
    stub.behaviour.reply = "I don't know: the articles don't say."
    settings = stub_settings(tmp_path, bundled_index, stub)
    bot = Assistant(settings)
    history = [{"role": "user", "content": "Who is Russia's ambassador to Canada?"},
               {"role": "assistant", "content": "Oleg Stepanov [1]."}]

    def rewrites() -> int:
        return sum("Rewritten question" in r["messages"][-1]["content"] for r in stub.behaviour.requests)

    alone = bot.ask("How much money did Trudeau announce for military equipment?", history)
    assert rewrites() == 0 and "rewrite" not in alone.timings_ms
    assert alone.standalone_question == "How much money did Trudeau announce for military equipment?"
    bot.ask("What did he say about the sanctions?", history)
    assert rewrites() == 1


def test_a_rewrite_that_only_repeats_an_earlier_question_is_not_searched(tmp_path: Path, bundled_index: Path,
                                                                          stub: OpenAIStub) -> None:
    """Answering the earlier question again would answer what was asked before, not now."""
    earlier = "How many Canadians did Russia bar from entering the country on April 21, 2022?"

    def reply(request: dict[str, object]) -> str:
        user = str(request["messages"][-1]["content"])  # type: ignore[index]
        if "Rewritten question" in user:
            return earlier if "previous list" in user else "What did Russia's foreign ministry say about it?"
        return "I don't know: the articles don't say."

    stub.behaviour.reply = reply
    settings = stub_settings(tmp_path, bundled_index, stub)
    bot = Assistant(settings)
    history = [{"role": "user", "content": earlier}, {"role": "assistant", "content": "61 Canadians [1]."}]
    assert bot.ask("And in the previous list?", history).standalone_question == "And in the previous list?"
    # Passes: a rewrite that says something new is searched.
    # (with the date the reader's earlier question gave: `with_conversation_date`)
    assert bot.ask("What did they say about it?", history).standalone_question == \
        "What did Russia's foreign ministry say about it, in April 2022?"


# (follow-up, its rewrite): the rewrite still leans on a pronoun and names no one new.
MUST_REJECT_REWRITE = [
    ("According to him, whose fault is that?", "According to him, who is responsible for the crisis?"),
    ("What did he say?", "What did he say?"),  # the model gave the question back
    ("What did she announce in Toronto?", "What did she announce in Toronto?"),  # Toronto was already named
    ("Qu'a-t-elle annoncé ensuite ?", "Qu'a-t-elle annoncé ensuite ?"),
    ("Apa yang dia katakan tentang sanksi?", "Apa yang dia katakan tentang sanksi?"),
    # a title is no name: whose advisers, and who "him" is, are still open
    ("Which of his advisers then accused the host of having betrayed him?",
     "Which of his advisers accused the Prime Minister of having betrayed him?"),
    # one of several things the conversation listed, a day counted from one it gave, "before" it
    ("What aircraft was he sending for the second one?", "What aircraft was Trudeau sending for the second one?"),
    ("And what did the foreign minister announce the next day?",
     "What did the foreign minister announce the next day?"),
    ("And when had Canada last done that before?", "When did Canada last summon Russia's ambassador?"),
]
MUST_PASS_REWRITE = [
    ("How long did they have to leave the country?", "How long did the Canadian diplomats have to leave the country?"),
    ("What did she say Canada would bear?", "What did Maria Zakharova say Canada would bear?"),
    ("What did she say about her visit?", "What did Joly say about her visit?"),  # "her" stays, "she" is named
    ("And what did he promise during that visit?", "What did Trudeau promise during his visit to Kyiv?"),
    ("How much will that cost?", "How much will the loan to Ukraine cost?"),  # no person pronoun at all
    ("What did he tell the President?", "What did Stepanov tell the President?"),  # a title beside a name
    ("What aircraft was he sending for the second one?", "What aircraft was Trudeau sending to Iraq?"),
    ("And what did Joly announce the next day?", "What did Joly announce on January 16, 2023?"),
    ("How many were wounded by the day after?", "How many were wounded by the day after the Kramatorsk attack?"),
    ("And when had Canada last done that before?", "When had Canada summoned Russia's ambassador before 2014?"),
    ("And what did the UK announce the same day?",
     "What did the UK announce on the same day as Canada's Kananaskis sanctions?"),  # the day named otherwise
]


@pytest.mark.parametrize(("question", "rewrite"), MUST_REJECT_REWRITE)
def test_a_rewrite_that_leaves_the_person_unnamed_is_unresolved(question: str, rewrite: str) -> None:
    assert unresolved(rewrite, question)


@pytest.mark.parametrize(("question", "rewrite"), MUST_PASS_REWRITE)
def test_a_rewrite_that_names_the_person_is_resolved(question: str, rewrite: str) -> None:
    assert unresolved(rewrite, question) == []


def test_a_follow_up_about_an_unnamed_person_is_declined_without_an_answer_call(
        tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    """Whoever "him" is, an answer about the person the passages happen to name would be about
    someone else: the reader gets the abstention and the closest passages, and no answer is drafted."""
    def reply(request: dict[str, object]) -> str:
        user = str(request["messages"][-1]["content"])  # type: ignore[index]
        if "Rewritten question" in user:
            return ("According to Stepanov, who is responsible for the crisis?" if "Stepanov" in user
                    else "According to him, who is responsible for the crisis?")
        return "Canada is responsible for the crisis [1]."

    stub.behaviour.reply = reply
    bot = Assistant(stub_settings(tmp_path, bundled_index, stub))
    vague = [{"role": "user", "content": "How are relations between the two countries?"},
             {"role": "assistant", "content": "They are in a serious crisis [1]."}]
    answer = bot.ask("According to him, whose fault is that?", vague)
    assert answer.abstained and answer.citations == [] and answer.retrieved
    assert not any("Rewritten question" not in r["messages"][-1]["content"] for r in stub.behaviour.requests)
    # Passes: the same follow-up after a turn that names him is rewritten with his name and answered.
    named = [{"role": "user", "content": "How does Stepanov see relations between the two countries?"},
             {"role": "assistant", "content": "He said relations are in a serious crisis [1]."}]
    answer = bot.ask("According to him, whose fault is that?", named)
    assert answer.standalone_question == "According to Stepanov, who is responsible for the crisis?"
    assert any("Rewritten question" not in r["messages"][-1]["content"] for r in stub.behaviour.requests)


def test_a_rewrite_keeps_the_questions_it_left_out() -> None:
    """Two questions in one follow-up: a rewrite of the first alone is answered "Yes, ..." while
    the reader asked when and why; a rewrite that asks both, or a single question, loses nothing."""
    from rag.followups import dropped_asks

    question = "Had he been called in before? When, and over what?"
    assert dropped_asks("Had Alexander Darchiev been summoned before September 3, 2020?", question) == [
        "When, and over what?"]
    assert dropped_asks("When, and over what, had Darchiev been summoned before?", question) == []
    assert dropped_asks("Did Joly go to Kyiv? Wann war sie dort?", "Did she go there? Wann war sie dort?") == []
    assert dropped_asks("What did Joly say?", "What did she say?") == []
    assert dropped_asks("Who is Darchiev?", "Who is he? Thanks.") == []  # no asking word: nothing asked
    assert dropped_asks("A-t-il rencontré Joly ?", "L'a-t-il rencontrée ? Où, et quand ?") == ["Où, et quand ?"]


def _searched_as(rewrite: str, previous: str, question: str, tmp_path: Path, bundled_index: Path,
                 stub: OpenAIStub) -> str:
    """The question retrieval is given for `question` after `previous` (and a one-line answer),
    when the model rewrites every follow-up as `rewrite`."""
    stub.behaviour.reply = _rewriting_as(rewrite)
    bot = Assistant(stub_settings(tmp_path, bundled_index, stub))
    history = [{"role": "user", "content": previous}, {"role": "assistant", "content": "An answer [1]."}]
    return bot.ask(question, history).standalone_question


def test_the_rest_of_a_follow_up_is_searched_with_its_rewrite(tmp_path: Path, bundled_index: Path,
                                                              stub: OpenAIStub) -> None:
    """The question sent to retrieval and the answer asks what the rewrite dropped."""
    searched = _searched_as("Had Oleg Stepanov been summoned before January 2023?",
                            "Why did Canada summon Oleg Stepanov in January 2023?",
                            "Had he been called in before? When, and over what?", tmp_path, bundled_index, stub)
    assert searched == "Had Oleg Stepanov been summoned before January 2023? When, and over what?"


def test_a_thing_pointed_back_at_and_kept_as_it_was_is_unresolved() -> None:
    """holdout7 z030: "on it" (the ban list two turns back) left as it was by the rewrite, which
    only replaced "she" (with words that name no one): the search found another report's leader."""
    question = "Which Ukrainian Canadian community leader was on it, and how did she react?"
    assert unresolved("Which Ukrainian Canadian community leader was on it, and how did Ukraine Independence react?",
                      question) == ["on it"]
    assert unresolved("How did the Kremlin react to it?", "How did the Kremlin react to it?") == ["to it"]
    # resolved: the rewrite names the thing, before "it" or in its place
    assert unresolved("Which Ukrainian Canadian community leader was on Russia's October 2024 ban list, and how "
                      "did she react?", question) == []
    assert unresolved("Which leader on the October 2024 ban list spoke about it?", "Which leader spoke about it?") == []


def test_a_rank_the_rewrite_lost_is_unresolved() -> None:
    """holdout8 b037: "his first?" dropped by the rewrite, and the answer gave the summit's date."""
    assert unresolved("Which G20 summit did Trudeau attend in 2017?", "Which G20 was that for him, his first?") == [
        "first"]
    assert unresolved("When was Trudeau's latest visit?", "When was his last one?") == []  # said in other words
    assert unresolved("Which G20 summit was Trudeau's first?", "Which G20 was that for him, his first?") == []
    assert unresolved("What did Joly announce in Kyiv?", "And what did she announce there?") == []


def test_a_place_is_never_the_person_a_pronoun_stands_for(tmp_path: Path, bundled_index: Path,
                                                          stub: OpenAIStub) -> None:
    """holdout8 b037: the fallback for an unusable rewrite offered the conversation's "Crimea" for
    "him", and the model picked it. A name the articles write "in <name>" (Kyiv) is a place: the one
    person left is put in without asking the model to pick."""
    stub.behaviour.reply = _rewriting_as("What did he promise them?")  # still "he", no one named: unusable
    bot = Assistant(stub_settings(tmp_path, bundled_index, stub))
    history = [{"role": "user", "content": "What did the Prime Minister say?"},
               {"role": "assistant", "content": "In a speech, Trudeau praised Kyiv's resistance [1]."}]
    answer = bot.ask("What did he promise them?", history)
    assert answer.standalone_question == "What did Trudeau promise them?"
    # no request but the rewrite and the answer: the model was not asked to pick between Trudeau and Kyiv
    assert len(stub.behaviour.requests) == 2, [r["messages"][-1]["content"][:80] for r in stub.behaviour.requests]


def test_a_rewrite_without_a_date_gets_the_one_the_reader_asked_about() -> None:
    """holdout9 j035: "What was it retaliating for?" after "Russia's April 2026 ban" was rewritten
    "What was Russia retaliating for?", found the April 2024 ban and was answered from it."""
    from rag.followups import conversation_date, with_conversation_date

    history = [{"role": "user", "content": "Tell me about Russia's April 2026 ban on Canadians"},
               {"role": "assistant", "content": "On April 23, 2026, Russia barred 76 more Canadians [1]."}]
    assert with_conversation_date("What was Russia retaliating for?", "What was it retaliating for?",
                                  history) == "What was Russia retaliating for, in April 2026?"
    # the follow-up or its rewrite names a date, or moves to another time: left as it is
    in_2014 = "What did Russia do in 2014?"
    assert with_conversation_date(in_2014, "And in 2014?", history) == in_2014
    for moves in ("What had it done before?", "What did it do the next day?", "What is the latest ban?",
                  "How many are banned now?", "When did it first ban Canadians?"):
        assert with_conversation_date("What did Russia do?", moves, history) == "What did Russia do?", moves
    # "how long did it last" is not "the latest"
    assert with_conversation_date("How long did the meeting last?", "How long did it last?", history).endswith(
        ", in April 2026?")
    # the reader's questions date the conversation, not the answers' figures ("worth US$19 billion in 2021")
    assert conversation_date([{"role": "user", "content": "What did Canada ban at Elmau?"},
                              {"role": "assistant", "content": "Gold, worth US$19 billion in 2021 [1]."}]) is None
    assert conversation_date([{"role": "user", "content": "Who hosted the 2018 G7 summit?"},
                              {"role": "user", "content": "Why did Trump leave?"}]) == "in 2018"
    # two months of one year: the year; two years: no date
    assert conversation_date([{"role": "user", "content": "Compare March 2024 and October 2024."}]) == "in 2024"
    assert conversation_date([{"role": "user", "content": "Compare 2014 and 2022."}]) is None


def test_the_searched_follow_up_carries_the_conversations_date(tmp_path: Path, bundled_index: Path,
                                                               stub: OpenAIStub) -> None:
    searched = _searched_as("Why did Canada summon Oleg Stepanov?", "What happened in Dnipro in January 2023?",
                            "Why did Canada summon him?", tmp_path, bundled_index, stub)
    assert searched == "Why did Canada summon Oleg Stepanov, in January 2023?"


def test_a_follow_up_naming_nothing_that_the_rewrite_gave_back_is_searched_with_the_question_before() -> None:
    """holdout10 p038: "Which companies were among the entities?" came back from the 1.5B model's
    rewrite as it was, and searched alone it was answered from another round of sanctions."""
    previous = "What sanctions did Canada announce on the second anniversary of Crimea's annexation?"
    question = "Which companies were among the entities?"
    assert with_previous_question(question, question, previous) == (
        "Which companies were among the entities (What sanctions did Canada announce on the second "
        "anniversary of Crimea's annexation)?")
    # a rewrite that changed the question, or a question that names something, is left alone
    rewrite = "Which companies were among the entities Canada sanctioned in March 2016?"
    assert with_previous_question(rewrite, question, previous) == rewrite
    named = "Which companies did Canada sanction?"
    assert with_previous_question(named, named, previous) == named
