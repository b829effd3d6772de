"""The person an answer names must hold the role the question asks for (`rag.roles`)."""

from __future__ import annotations

import pytest

from rag.draft import Draft, finalize
from rag.grounding import PinVocabulary
from rag.roles import (
    asked_role,
    asks_city,
    asks_for_person,
    asks_who,
    named_as,
    names_only_countries,
    people_named,
)
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
    # holdout10 p046: answered with a Global Affairs spokesperson's name
    ("What was the name of Canada's ambassador in Moscow who was called in in March 2018?", "ambassador"),
]
NOT_ROLE_QUESTIONS = [
    "What did the minister say about the sanctions?",  # asks what was said, not who
    "Who was the spy?",  # no role of the list
    "What was the name of the ship?",
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


def test_a_title_before_a_name_is_not_the_role_asked() -> None:
    """dev3 t036: "one of Prime Minister Justin Trudeau's ministers" asks for a minister, not a
    prime minister; a role written before a name belongs to that name."""
    assert "minister" in asked_role("Who was one of Prime Minister Justin Trudeau's ministers on the trip?")
    assert "prime minister" not in asked_role("Who was one of Prime Minister Justin Trudeau's ministers on the trip?")
    assert asked_role("Who was Prime Minister Justin Trudeau with in Riga?") == ()
    assert "prime minister" in asked_role("Which Prime Minister visited Kyiv in 2016?")


def test_another_role_containing_or_owning_the_word_does_not_count() -> None:
    """A press secretary is not a minister, even a minister's; nor is NATO's Secretary General."""
    minister = asked_role("Which British minister appeared alongside Joly?")
    gauthier = ("According to the first minister's press secretary, Melissa Gauthier, Prime Minister Trudeau "
                "is the second Canadian prime minister to visit Ukraine since 2014.")
    assert not named_as(frozenset({"melissa", "gauthier"}), minister, [gauthier])
    assert not named_as(frozenset({"jens", "stoltenberg"}), minister, ["NATO Secretary-General Jens Stoltenberg said."])
    assert named_as(frozenset({"melissa", "gauthier"}), asked_role("Which spokesperson said it?"), [gauthier])
    assert named_as(frozenset({"melanie", "joly"}), minister, ["Foreign Affairs Minister Melanie Joly said."])
    # dev d007: the French minister is Joly's "counterpart"; Stoltenberg's title beside him does not count
    tour = ("She will meet with her French and EU counterparts, Jean-Yves Le Drian and Josep Borrell, as well as "
            "NATO Secretary-General Jens Stoltenberg.")
    assert named_as(frozenset({"jean-yves", "le", "drian"}), minister, [tour])
    assert not named_as(frozenset({"jens", "stoltenberg"}), minister, [tour])


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


EMBASSY = Passage(
    source="kyiv.txt", doc_id="kyiv.txt", title="Trudeau in Kyiv", outlet="Herald", language="en",
    published="2022-05-08", score=0.5, chunk=0,
    text=("Trudeau announced that Canada's embassy in Kyiv would reopen. Ambassador Larisa Galadza is already back "
          "in the Ukrainian capital. Canada's ambassador in Moscow stays: it is important to have eyes and ears "
          "in Russia, an official said."))


def test_an_answer_that_names_no_person_for_the_role_is_withheld() -> None:
    """"Which ambassador" answered with a place or a title only gives no ambassador, however well cited."""
    question = "Which Canadian ambassador was already back in Kyiv?"
    for raw in ("The Canadian ambassador in Moscow stays to have eyes and ears in Russia [1].",
                "Canada's ambassador is already back in the Ukrainian capital [1]."):
        draft = Draft(question, [EMBASSY], "en")
        draft.feed(raw)
        draft.finish()
        assert draft.result()[1], raw
        assert any("['no one']" in why for why in draft.dropped), draft.dropped
    # Passes: a name first in the sentence, and a name after its title.
    for raw in ("Larisa Galadza is already back in the Ukrainian capital [1].",
                "Ambassador Larisa Galadza is already back [1]."):
        text, abstained, _ = finalize(raw, [EMBASSY], question)
        assert not abstained and "Galadza" in text, raw


def test_the_people_an_answer_names_leave_out_titles_places_and_the_question_s_names() -> None:
    asked = PinVocabulary(["Who was the Canadian prime minister who announced sanctions in 2014?"])
    assert people_named("Prime Minister Stephen Harper.", asked) == [frozenset({"stephen", "harper"})]
    assert people_named("The Prime Minister of Canada announced them in Ottawa.", asked) == []
    assert people_named("He spoke from Germany about France.", asked) == []
    assert people_named("Prime Minister Justin Trudeau spoke on the Russian invasion.",
                        PinVocabulary(["Which leaders accompanied Trudeau?"])) == []  # a nationality names no one


@pytest.mark.parametrize("question", [
    "Which leaders accompanied Trudeau in Kyiv on the second anniversary?",
    "Which of his advisers accused Trudeau of having betrayed him?",
    "Which Canadian ambassador was already back in Kyiv?",
    "Which Canadian official met Oleg Stepanov when he was summoned?",  # one official is a person
])
def test_questions_asking_which_people_want_someone_named(question: str) -> None:
    assert asks_for_person(question)


@pytest.mark.parametrize("question", [
    "What mechanism did G7 leaders agree at the Charlevoix summit?",  # the leaders are not what is asked
    "What did the advisers say?",
    "Which Russian officials did Canada sanction?",  # a body may answer: "members of the State Duma"
    "Who does it pay tribute to?",  # the soldiers: a group, not a name
    "What official reason did Ottawa give?",  # "official" as an adjective
])
def test_other_questions_do_not_need_a_name(question: str) -> None:
    assert not asks_for_person(question)


def test_which_leaders_answered_without_a_name_is_withheld() -> None:
    kyiv = Passage(source="k.txt", doc_id="k.txt", title="Trudeau in Kyiv", outlet="Herald", language="en",
                   published="2024-02-24", score=0.5, chunk=0,
                   text="Trudeau was accompanied in Kyiv by Giorgia Meloni and Alexander De Croo. It was "
                        "Trudeau's third visit to Ukraine since the invasion.")
    question = "Which leaders accompanied Trudeau in Kyiv?"
    text, abstained, _ = finalize("It was Trudeau's third visit to Ukraine since the invasion [1].", [kyiv], question)
    assert abstained, text
    text, abstained, _ = finalize("Giorgia Meloni and Alexander De Croo accompanied him [1].", [kyiv], question)
    assert not abstained and "Meloni" in text


def test_a_city_asked_is_not_answered_by_a_country() -> None:
    harper = Passage(source="mh17.txt", doc_id="mh17.txt", title="Sanctions after MH17", outlet="Herald",
                     language="en", published="2014-07-24", score=0.5, chunk=0,
                     text="Speaking in Mississauga, Ontario, Prime Minister Stephen Harper announced new sanctions "
                          "against Russia. Canada said Russia bore a heavy responsibility.")
    question = "Di kota mana Stephen Harper mengumumkan sanksi baru terhadap Rusia?"
    assert asks_city(question) and asks_city("In which city did Harper speak?") and not asks_city("Which country?")
    assert not asks_city("Which city council voted for the sanctions?")
    asked = PinVocabulary([question])
    assert names_only_countries("Canada", asked) and names_only_countries("In the United Kingdom", asked)
    assert not names_only_countries("In Mississauga, Ontario, Canada", asked)
    text, abstained, _ = finalize("Canada [1].", [harper], "In which city did Stephen Harper announce the sanctions?")
    assert abstained, text
    text, abstained, _ = finalize("In Mississauga, Ontario [1].", [harper],
                                  "In which city did Stephen Harper announce the sanctions?")
    assert not abstained and "Mississauga" in text


def test_a_first_minister_is_a_head_of_government_not_a_minister() -> None:
    """A translation's "first minister" (premier ministre, primeiro-ministro) is the prime minister:
    "which Canadian minister spoke" is not answered by him (holdout6 y021, Anand was the minister)."""
    role = asked_role("Which Canadian minister spoke at the flag raising in Edmonton?")
    text = ("In the communication, the first minister Justin Trudeau reminded that Canada was the first Western "
            "country to recognise Ukraine. Minister of Defence Anita Anand participated in a ceremony.")
    assert not named_as(frozenset({"trudeau"}), role, [text])
    assert named_as(frozenset({"anand"}), role, [text])
    leader = asked_role("Which head of government sent a message?")
    assert named_as(frozenset({"trudeau"}), leader, [text])


SUMMONS = Passage(
    source="odesa.txt", doc_id="odesa.txt", title="Canada summons Russian envoy over Odesa strike", outlet="Herald",
    language="en", published="2025-12-10", score=0.5, chunk=0,
    text=("Canada summoned Russia's ambassador, Oleg Stepanov, for the second time in less than three weeks. "
          "Nathalie Brisebois, an assistant deputy minister, received Stepanov at 9:30 for about 45 minutes."))


@pytest.mark.parametrize("question", [
    "Who received Stepanov at the Pearson Building?",
    "How long did the meeting last, and who chaired it?",
    "who at global affairs received russia's ambassador",
    "To whom did Joly hand the note?",
    "Qui a reçu l'ambassadeur russe ?",
    "¿Quién recibió al embajador?",
    "Ki fogadta Stepanovot a minisztériumban?",
    "Kuka otti suurlähettilään vastaan?",
])
def test_questions_asking_who_did_something_are_recognised(question: str) -> None:
    assert asks_who(question)


@pytest.mark.parametrize("question", [
    "Who was found alive in the ruins?",  # a description answers it ("a woman and her son")
    "Who is Russia's ambassador to Canada?",  # the role check's (`asked_role`)
    "Who spoke first at the summit, Joly or Anand?",  # a choice between the question's names
    "What did the leaders who travelled to Kyiv announce?",  # a relative clause
    "Wie viele Menschen starben?",  # German "wie" is "how"
])
def test_questions_not_asking_who_did_something_are_not(question: str) -> None:
    assert not asks_who(question)


def test_an_answer_to_who_naming_no_one_new_is_withheld() -> None:
    """holdout8 b034: "Who received him ...?" answered by restating the summons, naming only the
    ambassador the question names."""
    question = "Who received Russia's ambassador, Oleg Stepanov, and how long did the meeting last?"
    raw = "Canada summoned Russia's ambassador, Oleg Stepanov, for the second time in less than three weeks [1]."
    text, abstained, _ = finalize(raw, [SUMMONS], question)
    assert abstained, text
    draft = Draft("Who received Oleg Stepanov?", [SUMMONS], "en")
    draft.feed("Canada summoned Russia's ambassador, Oleg Stepanov, for the second time in less than three weeks [1].")
    draft.finish()
    assert draft.result()[1]
    assert any("no one named" in why for why in draft.dropped), draft.dropped


def test_an_answer_to_who_naming_someone_is_shown() -> None:
    text, abstained, _ = finalize("Nathalie Brisebois received Stepanov for about 45 minutes [1].", [SUMMONS],
                                  "Who received Stepanov, and how long did the meeting last?")
    assert not abstained and "Brisebois" in text


def test_a_role_names_someone_unless_it_is_said_of_the_question_s_own_name() -> None:
    from rag.roles import names_someone

    question = "Who will Joly see in Brussels?"
    assert names_someone("Joly will meet Ukraine's prime minister [1].", question, PinVocabulary([question]))
    question = "Who received Oleg Stepanov?"
    assert not names_someone("Canada summoned Russia's ambassador, Oleg Stepanov, again [1].", question,
                             PinVocabulary([question]))
    assert names_someone("Nathalie Brisebois received him [1].", question, PinVocabulary([question]))
    # the place an answer names is no one: "the Black Sea port city of Odesa" (holdout8 b034, after
    # its rewrite was given the conversation's date)
    assert not names_someone("Canada summoned Russia's ambassador, Oleg Stepanov, after an attack on the Black Sea "
                             "port city of Odesa killed 17 people [1].", question, PinVocabulary([question]))
    assert names_someone("Oleg Stepanov was received by the head of the Europe desk, Nathalie Brisebois [1].",
                         question, PinVocabulary([question]))
