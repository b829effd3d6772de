"""Compound questions about two dates or events split into one question each (`rag.compound`),
answered part by part, and shown only when every part is answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.citations import join_cited
from rag.compound import asks_two, of_sources, split_question
from rag.draft import Draft, finalize
from rag.grounding import figures_asked
from rag.prompts import ABSTAIN_TEXT
from rag.schema import Citation, Passage
from rag.wording import restated_half, unspoken_ask
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.served import stub_settings

SPLIT = [
    ("How many vessels did Canada sanction in February 2025, and how many in June 2025?",
     ["How many vessels did Canada sanction in February 2025?", "How many vessels did Canada sanction in June 2025?"]),
    ("How many officials did Moscow ban in spring 2021, and how many Canadians did it bar on April 21, 2022?",
     ["How many officials did Moscow ban in spring 2021?", "How many Canadians did Moscow bar on April 21, 2022?"]),
    ("How many members of the State Duma did Canada sanction in February 2022, and how many members of the "
     "Federation Council in March 2022?",
     ["How many members of the State Duma did Canada sanction in February 2022?",
      "How many members of the Federation Council did Canada sanction in March 2022?"]),
    ("How many people had Canada sanctioned by June 2022, and by June 2024?",
     ["How many people had Canada sanctioned by June 2022?", "How many people had Canada sanctioned by June 2024?"]),
    ("What did Canada ban at the G7 summits of 2022 and 2023?",
     ["What did Canada ban at the G7 summits of 2022?", "What did Canada ban at the G7 summits of 2023?"]),
    ("What did Canada announce in February and March 2022?",
     ["What did Canada announce in February 2022?", "What did Canada announce in March 2022?"]),
    ("What did Canada ban at the G20 summits of 2022, 2023 and 2024?",  # a list of three: one question each
     ["What did Canada ban at the G20 summits of 2022?", "What did Canada ban at the G20 summits of 2023?",
      "What did Canada ban at the G20 summits of 2024?"]),
    ("What did Canada announce in February, March and April 2022?",
     ["What did Canada announce in February 2022?", "What did Canada announce in March 2022?",
      "What did Canada announce in April 2022?"]),
    # the second half's dated phrase in place of the first half's, from the same preposition on
    ("How many tanks did Canada pledge at the NATO summit in Vilnius in 2023 and at the NATO summit in "
     "Washington in 2024?",
     ["How many tanks did Canada pledge at the NATO summit in Vilnius in 2023?",
      "How many tanks did Canada pledge at the NATO summit in Washington in 2024?"]),
    ("How many people did Canada sanction on the first anniversary in 2023, and how many on Victory Day in 2024?",
     ["How many people did Canada sanction on the first anniversary in 2023?",
      "How many people did Canada sanction on Victory Day in 2024?"]),
    ("How much did Canada pledge at the 2023 G7 summit in Hiroshima and at the 2024 G20 summit in Rio?",
     ["How much did Canada pledge at the 2023 G7 summit in Hiroshima?",
      "How much did Canada pledge at the 2024 G20 summit in Rio?"]),
    ("Where did Trudeau mark the first and the third anniversaries of the invasion?",
     ["Where did Trudeau mark the first anniversary of the invasion?",
      "Where did Trudeau mark the third anniversary of the invasion?"]),
    # one question per outlet: handed both reports, the model gave another fact for the second
    ("How many people of Ukrainian descent live in Canada, according to the Maple Herald and according to the "
     "Berliner Kurier?",
     ["How many people of Ukrainian descent live in Canada, according to the Maple Herald?",
      "How many people of Ukrainian descent live in Canada, according to the Berliner Kurier?"]),
    ("According to the Dominion Wire and according to the Prairie Post, how many entities had Canada sanctioned?",
     ["According to the Dominion Wire, how many entities had Canada sanctioned?",
      "According to the Prairie Post, how many entities had Canada sanctioned?"]),
    ("Whom did Trudeau meet in Riga, according to the Baltic Observer, and how many tanks had Canada pledged, "
     "according to the Lakeshore Times?",
     ["Whom did Trudeau meet in Riga, according to the Baltic Observer?",
      "How many tanks had Canada pledged, according to the Lakeshore Times?"]),
    # a report named by its date keeps the date's comma (holdout11 q012 went unsplit)
    ("How many people had died in the Porto flood according to the first report of March 3, 2025, and according "
     "to the update two days later?",
     ["How many people had died in the Porto flood, according to the first report of March 3, 2025?",
      "How many people had died in the Porto flood, according to the update two days later?"]),
    ("According to the first report of May 2, 2024, and according to the update of May 3, 2024, how many people "
     "died?",
     ["According to the first report of May 2, 2024, how many people died?",
      "According to the update of May 3, 2024, how many people died?"]),
]

WHOLE = [
    "How many individuals and how many entities did Canada sanction at the G7 summit in 2022?",  # one report
    "In response to the Salisbury attack, how many diplomats did Canada expel and how many applications did it "
    "reject?",
    "How much is Canada investing in Latvia from July 2023, and over what period?",  # one date
    "How many troops did Russia mass near Ukraine's border in January 2022?",
    "Which leaders met in Kyiv and Lviv in 2022?",
    "Combien de diplomates le Canada a-t-il expulsés en 2018, et combien en 2022 ?",  # English only
    "Whom did Trudeau meet, according to the Baltic Observer, and where did he meet them, according to the "
    "Baltic Observer?",  # one outlet: one report
    "Which spokespersons did the Northern Sentinel and the Dominion Wire quote?",  # one question about both
    # the same dated phrase: nothing to swap; another head ("and where"): not the same question
    "How many tanks did Canada pledge at the summit in 2023 and at the summit in 2023?",
    "How many tanks did Canada pledge in Vilnius in 2023, and where at the summit in 2024?",
    # the outlet after the date would be lost in the swap
    "How many tanks did Canada pledge at the summit in 2023 according to the Herald, and at the summit in 2024?",
]


@pytest.mark.parametrize(("question", "parts"), SPLIT)
def test_a_question_about_two_dates_or_events_is_split(question: str, parts: list[str]) -> None:
    assert split_question(question) == parts


@pytest.mark.parametrize("question", WHOLE)
def test_a_question_about_one_report_is_answered_whole(question: str) -> None:
    assert split_question(question) == []


def _passage(node: str) -> Passage:
    return Passage(source=f"{node}.txt", doc_id=node, title=node, outlet="", language="en", published="",
                   text=node, score=1.0, chunk=0, node_id=node)


def test_joined_parts_keep_one_number_per_passage() -> None:
    a, b, c = _passage("a"), _passage("b"), _passage("c")
    text, cited = join_cited([("First [1], and [2].", [Citation(1, a), Citation(2, b)]),
                              ("Second [1][2], also [1, 2].", [Citation(1, c), Citation(2, a)])])
    assert text == "First [1], and [2]. Second [3][1], also [3, 1]."
    assert [(x.n, x.passage.node_id) for x in cited] == [(1, "a"), (2, "b"), (3, "c")]


def test_a_compound_question_is_shown_only_when_every_part_is_answered(tmp_path: Path, bundled_index: Path,
                                                                       stub: OpenAIStub) -> None:
    """The Dnipro strike (January 2023) is in the articles; a June 2030 one is not."""
    answered: list[str] = []

    def reply(request: dict[str, object]) -> str:
        user = str(request["messages"][-1]["content"])  # type: ignore[index]
        asked = user.rsplit("Question:", 1)[-1]
        answered.append(asked.strip())
        if "2030" in asked:
            return "I don't know: the articles don't say."
        return "Canada summoned Russia's ambassador, Oleg Stepanov [1]."

    stub.behaviour.reply = reply
    settings = stub_settings(tmp_path, bundled_index, stub)
    bot = Assistant(settings)
    question = ("Which ambassador did Canada summon in January 2023, and which ambassador did it summon in "
                "June 2030?")
    stream = bot.stream(question)
    shown = list(stream)
    assert stream.answer is not None
    assert answered[-2:] == ["Which ambassador did Canada summon in January 2023?",
                             "Which ambassador did Canada summon in June 2030?"]
    assert stream.answer.abstained and shown == [ABSTAIN_TEXT]  # the answered half never reached the reader

    answered.clear()
    both = bot.ask("Which ambassador did Canada summon in January 2023, and which ambassador did it summon "
                   "in 2022?")
    assert len(answered) == 2 and not both.abstained
    assert both.text.count("Oleg Stepanov") == 2
    assert both.text.endswith(f"[{len(both.citations)}].")  # the second part's [1], renumbered
    assert [c.n for c in both.citations] == list(range(1, len(both.citations) + 1))


MAMEDOV = Passage(source="summons.txt", doc_id="summons.txt", title="Baird summons Russia's ambassador",
                  outlet="Beacon", language="en", published="2014-03-03", score=0.5, chunk=0,
                  text="Georgiy Mamedov, Russia's ambassador in Ottawa since 2003, was summoned by Foreign Affairs "
                       "Minister John Baird. The meeting lasted about 40 minutes.")
TWO_ASKS = ("How long had Georgiy Mamedov been Russia's envoy in Ottawa by the time Baird summoned him, "
            "and how long did that meeting last?")


def test_questions_of_two_asks_are_told_from_one_ask() -> None:
    assert asks_two(TWO_ASKS)
    assert asks_two("Who met Stepanov, and what did they discuss?")
    assert not asks_two("How many individuals and entities did Canada sanction in June 2025?")
    assert not asks_two("How long did the meeting between Baird and Mamedov last?")
    # one ask of two sources: half of it is no answer either
    assert asks_two(FLOOD_ASKED)
    assert not asks_two("How many people had died in the Porto flood, according to the update?")


FLOOD = [Passage(source=f"flood-{day}.txt", doc_id=f"flood-{day}.txt", title=title, outlet="Post", language="en",
                 published=f"2025-03-0{day}", score=0.5, chunk=0, text=text)
         for day, title, text in [
             (3, "Porto flood kills at least 9", "At least 9 people died when the Douro flooded Porto, officials said "
                                                 "in a first report on Monday."),
             (5, "Porto flood toll rises to 12", "The toll of the Porto flood rose to 12 on Wednesday, two days after "
                                                 "the first report.")]]
FLOOD_ASKED = ("How many people had died in the Porto flood according to the first report of March 3, 2025, and "
               "according to the update two days later?")


def test_half_an_answer_of_two_sources_is_withheld() -> None:
    """holdout11 q012: the first report's toll shown, then the update's sentence withheld (a figure
    it lacks): the reader saw half the answer as the whole."""
    draft = Draft(FLOOD_ASKED, FLOOD, "en")
    assert draft.feed("The first report said at least 9 people died [1]. ") == ""  # held until the end
    draft.feed("The update two days later put the toll at 14 [2].")
    assert draft.finish() == ""
    text, abstained, _ = draft.result()
    assert abstained and text == ABSTAIN_TEXT
    text, abstained, _ = finalize("The first report said at least 9 people died [1]. Two days later the toll rose "
                                  "to 12 [2].", FLOOD, FLOOD_ASKED)
    assert not abstained and "9" in text and "12" in text


def test_half_an_answer_to_two_asks_is_withheld() -> None:
    """The second half stated a length the report does not give, and was dropped: the first half
    alone would read as the whole answer (holdout5 x009)."""
    raw = ("Georgiy Mamedov had been Russia's envoy in Ottawa since 2003 [1]. "
           "The meeting lasted for about 15 minutes [1].")
    draft = Draft(TWO_ASKS, [MAMEDOV], "en")
    assert draft.feed(raw) == ""  # nothing shown before the whole answer is in
    assert draft.finish() == ""
    text, abstained, _ = draft.result()
    assert abstained and text == ABSTAIN_TEXT
    assert any("two asks" in why for why in draft.dropped)


@pytest.mark.parametrize("raw", [
    "Georgiy Mamedov had been Russia's envoy in Ottawa since 2003 [1]. The meeting lasted about 40 minutes [1].",
    "He had been envoy since 2003, and the meeting lasted about 40 minutes [1].",
])
def test_a_whole_answer_to_two_asks_is_shown_once_complete(raw: str) -> None:
    draft = Draft(TWO_ASKS, [MAMEDOV], "en")
    shown = draft.feed(raw) + draft.finish()
    text, abstained, _ = draft.result()
    assert not abstained and "40 minutes" in text and "2003" in text and shown.strip() == text


EXPULSIONS = Passage(source="expulsions.txt", doc_id="expulsions.txt", title="Russia expels four Canadians",
                     outlet="Post", language="en", published="2018-03-30", score=0.5, chunk=0,
                     text="Canada gave the four Russian diplomats five days to leave. Russia gave the four Canadian "
                          "diplomats it expelled in return seven days, until April 6.")
TWO_FIGURES = ("How long did Canada give the Russian diplomats to leave, and how long did Russia give the Canadian "
               "diplomats it expelled in return?")


def test_an_answer_giving_one_of_two_figures_asked_is_withheld() -> None:
    """holdout6 y012: the second sentence restated the second ask without its figure."""
    assert figures_asked(TWO_FIGURES) == 2
    assert figures_asked("¿Con cuántos votos aprobó la Rada la ley marcial y por cuántos días?") == 2
    assert figures_asked("How many individuals and entities did Canada sanction?") == 1
    # holdout8 b023: Hungarian and the other languages of the reports ask "how many" in their words
    assert figures_asked("Hány halálos áldozata volt a támadásnak, és hány gyermek volt köztük?") == 2
    assert figures_asked("Kuinka monelle alukselle Kanada asetti pakotteet ja kuinka kauan?") == 2
    assert figures_asked("Kolik lidí zemřelo a kolik bylo zraněno?") == 2
    assert figures_asked("Sur l'île de Java, combien de navires ?") == 1  # French "l'île" is no Polish "ile"
    # holdout8 b012: one figure asked of two occasions is two figures
    assert figures_asked("Mamedov was summoned twice in 2014. How long did the meeting last each time?") == 2
    text, abstained, _ = finalize("The meeting lasted five days each time [1].", [EXPULSIONS],
                                  "How long did Canada give the diplomats to leave each time?")
    assert abstained, text
    raw = ("Canada gave the Russian diplomats five days to leave [1]. "
           "Russia gave the Canadian diplomats it expelled in return [1].")
    text, abstained, _ = finalize(raw, [EXPULSIONS], TWO_FIGURES)
    assert abstained and text == ABSTAIN_TEXT


def test_an_answer_giving_both_figures_asked_is_shown() -> None:
    raw = "Canada gave them five days [1]. Russia gave the Canadians seven days, until April 6 [1]."
    text, abstained, _ = finalize(raw, [EXPULSIONS], TWO_FIGURES)
    assert not abstained and "five days" in text and "seven days" in text


GEAR = Passage(source="poroshenko.txt", doc_id="poroshenko.txt", title="Poroshenko addresses Parliament",
               outlet="Gazette", language="en", published="2014-09-17", score=0.5, chunk=0,
               text="In 2014 Harper promised Poroshenko a further C$5 million of non-lethal military gear: helmets, "
                    "body armour and night-vision goggles.")
GEAR_ASKED = "What non-lethal military gear did Harper promise Poroshenko in 2014 and how much was it worth?"


def test_two_asks_answered_with_the_questions_own_words_for_one_are_withheld() -> None:
    """holdout6 y009: the worth given, the gear only as the question named it."""
    draft = Draft(GEAR_ASKED, [GEAR], "en")
    draft.feed("Harper promised Poroshenko non-lethal military gear worth C$5 million [1].")
    draft.finish()
    text, abstained, _ = draft.result()
    assert abstained and text == ABSTAIN_TEXT
    assert any("in its own words" in why for why in draft.dropped)


def test_two_asks_answered_with_words_of_the_answers_own_pass() -> None:
    text, abstained, _ = finalize("Harper promised helmets, body armour and night-vision goggles worth C$5 million "
                                  "[1].", [GEAR], GEAR_ASKED)
    assert not abstained and "helmets" in text
    # two figures asked: no word of its own needed
    text, abstained, _ = finalize("Canada gave them five days [1]. Russia gave the Canadians seven days [1].",
                                  [EXPULSIONS], TWO_FIGURES)
    assert not abstained


ELMAU = Passage(source="elmau.txt", doc_id="elmau.txt", title="G7 leaders meet at Schloss Elmau", outlet="Post",
                language="en", published="2015-06-08", score=0.5, chunk=0,
                text="The G7 summit took place at Schloss Elmau in Bavaria in June 2015. Canada's prime minister "
                     "Stephen Harper pressed for sanctions on Russia to stay.")
ELMAU_ASKED = "Which G7 summits took place at Schloss Elmau, and who was Canada's prime minister at each one?"


def test_restated_half_finds_the_clause_that_only_repeats_the_question() -> None:
    assert restated_half(ELMAU_ASKED, "The G7 summits took place at Schloss Elmau, and Canada's prime minister "
                                      "was Stephen Harper at each one") == "The G7 summits took place at Schloss Elmau"
    assert restated_half(ELMAU_ASKED, "The G7 summit of June 2015 took place at Schloss Elmau, and Canada's prime "
                                      "minister was Stephen Harper") is None  # the date is its own
    assert restated_half(ELMAU_ASKED, "Stephen Harper was prime minister at Elmau in 2015") is None  # one clause
    assert restated_half(GEAR_ASKED, "Harper promised helmets and body armour; they were worth C$5 million") is None


def test_two_asks_one_answered_in_the_questions_words_are_withheld() -> None:
    """holdout6 y015: "which summits" answered by restating it, "who" by a name."""
    draft = Draft(ELMAU_ASKED, [ELMAU], "en")
    draft.feed("The G7 summits took place at Schloss Elmau, and Canada's prime minister was Stephen Harper at "
               "each one [1].")
    draft.finish()
    text, abstained, _ = draft.result()
    assert abstained and text == ABSTAIN_TEXT
    assert any("one ask of two" in why for why in draft.dropped)


def test_two_asks_each_answered_with_its_own_words_pass() -> None:
    text, abstained, _ = finalize("The G7 summit took place at Schloss Elmau in June 2015, and Canada's prime "
                                  "minister was Stephen Harper [1].", [ELMAU], ELMAU_ASKED)
    assert not abstained and "2015" in text


def test_two_sources_answered_from_one_report_are_an_abstention(tmp_path: Path, bundled_index: Path,
                                                                 stub: OpenAIStub) -> None:
    """holdout11 q012: "according to the first report, and according to the update a day later",
    split, had its update part answered from the first report: its toll given twice."""
    answered: list[str] = []

    def reply(request: dict[str, object]) -> str:
        user = str(request["messages"][-1]["content"])  # type: ignore[index]
        answered.append(user.rsplit("Question:", 1)[-1].strip())
        return "Canada summoned Russia's ambassador, Oleg Stepanov [1]."

    stub.behaviour.reply = reply
    bot = Assistant(stub_settings(tmp_path, bundled_index, stub))
    both = bot.ask("Which ambassador did Canada summon in January 2023, according to the first report and "
                   "according to the update?")
    assert answered[-2:] == ["Which ambassador did Canada summon in January 2023, according to the first report?",
                             "Which ambassador did Canada summon in January 2023, according to the update?"]
    assert both.abstained, both.text  # both parts cite the one report there is
    assert of_sources(["How many, according to the first report?", "How many, according to the update?"])
    assert not of_sources(["How many in 2022?", "How many in 2023?"])  # two dates: one report may give both


STRIKE = Passage(source="odesa.txt", doc_id="odesa.txt", title="Drones and a missile hit Odesa", outlet="Post",
                 language="en", published="2025-05-03", score=0.5, chunk=0,
                 text="An Iskander missile hit a school in Odesa on Saturday. A Shahed drone hit the city's power "
                      "station an hour later, cutting electricity to 40,000 homes.")
STRIKE_ASKED = "Which weapon hit the school in Odesa on May 3, 2025, and which one hit the power station?"


def test_an_answer_speaking_of_one_ask_of_two_is_withheld() -> None:
    """holdout11 q008: only what hit the second target was said, and it read as the whole answer."""
    assert unspoken_ask(["Which weapon hit the school", "which one hit the power station"],
                        "A Shahed drone hit the city's power station") == "Which weapon hit the school"
    text, abstained, _ = finalize("A Shahed drone hit the city's power station, cutting electricity to 40,000 homes "
                                  "[1].", [STRIKE], STRIKE_ASKED)
    assert abstained and text == ABSTAIN_TEXT
    # Passes: both asks spoken of; bare names (nothing to judge them by); figures asked (`figures_asked`
    # judges those: "five days" for "how long ... to leave" repeats no word of it)
    text, abstained, _ = finalize("An Iskander missile hit the school [1]. A Shahed drone hit the power station "
                                  "[1].", [STRIKE], STRIKE_ASKED)
    assert not abstained and "Iskander" in text and "Shahed" in text
    assert not finalize("Iskander [1]. Shahed [1].", [STRIKE], STRIKE_ASKED)[1]
    assert not finalize("Canada gave them five days [1]. Russia gave the Canadians seven days [1].", [EXPULSIONS],
                        TWO_FIGURES)[1]
    assert unspoken_ask(["How many people had Canada sanctioned by June 2022", "by June 2024"],
                        "Canada had sanctioned 1,000 people") == ""  # the second ask has no words of its own


def test_an_ask_with_one_word_of_its_own_is_not_judged() -> None:
    """holdout11 q021: "what is it going to work on" answered "to design the repair ..." (right)."""
    asks = ["Which company from Manresa signed a contract at the Rome conference", "what is it going to work on?"]
    assert unspoken_ask(asks, "Enginyeria del Bages signed a contract to design the repair of two substations") == ""
    assert unspoken_ask(asks, "It will design the repair of two substations") == asks[0]  # the company's ask unsaid
