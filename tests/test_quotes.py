"""Quotations answering "what did X say" must be X's: cases that must be rejected and cases that must pass."""

from __future__ import annotations

from rag.draft import Draft
from rag.prompts import ABSTAIN_TEXT
from rag.quotes import misattributed, quotations, speaker, speaker_unnamed, words_asked_of
from rag.schema import Passage

REPORT = ("MOSCOW - Russia barred 61 more Canadians on Thursday.\n\n"
          "\"Canada has chosen confrontation, and it will bear the consequences,\" ministry spokeswoman Maria "
          "Zakharova said at her weekly briefing. She added that further names would be added \"as Ottawa "
          "continues its hostile actions.\"\n\n"
          "Adrienne Leclair, a spokesperson for Global Affairs Canada, said Canada \"will not be intimidated\" "
          "and that the bans were \"a badge of honour\" for those listed.")
QUESTION = "What did Maria Zakharova say about Canada?"


def bans(text: str = REPORT) -> Passage:
    return Passage(source="bans.txt", doc_id="bans.txt", title="Russia bans 61 Canadians", outlet="Wire",
                   language="en", published="2022-04-21", text=text, score=0.5, chunk=0)


def test_the_speaker_is_who_the_question_asks_about() -> None:
    assert speaker(QUESTION) == "zakharova"
    assert speaker("How did Stepanov describe the differences?") == "stepanov"
    assert speaker("What did Canada announce?") == ""  # not a question about someone's words


def test_quotations_pair_their_marks_in_reading_order() -> None:
    text = 'Sanctions are "useless" says Stepanov, who said they "will not have an impact on Russia" today.'
    assert quotations(text) == ["will not have an impact on russia"]  # "useless" is too short to judge
    assert quotations("« il faut agir vite » and “a badge of honour”") == ["il faut agir vite", "a badge of honour"]


def test_another_speakers_words_are_rejected_and_the_speakers_own_pass() -> None:
    borrowed = 'Maria Zakharova said Canada "will not be intimidated" [1].'
    assert misattributed(QUESTION, borrowed, [REPORT]) == ["will not be intimidated"]
    own = 'Zakharova said "Canada has chosen confrontation, and it will bear the consequences" [1].'
    assert misattributed(QUESTION, own, [REPORT]) == []
    # "She added ..." right after the paragraph that names her is still hers.
    assert misattributed(QUESTION, 'She said names would be added "as Ottawa continues its hostile actions"',
                         [REPORT.replace("She added", "\n\nShe added")]) == []
    assert misattributed(QUESTION, 'She said Canada "will pay dearly for this"', [REPORT])  # found nowhere


def test_a_misattributed_quotation_is_an_abstention() -> None:
    draft = Draft(QUESTION, [bans()], "en", articles={"bans.txt": REPORT})
    draft.feed('Maria Zakharova said Canada "will not be intimidated" and the bans were "a badge of honour" [1].')
    draft.finish()
    text, abstained, _ = draft.result()
    assert abstained and text == ABSTAIN_TEXT
    assert "not said by the person asked about" in draft.dropped[-1]
    right = Draft(QUESTION, [bans()], "en", articles={"bans.txt": REPORT})
    right.feed('Zakharova said "Canada has chosen confrontation, and it will bear the consequences" [1].')
    right.finish()
    assert not right.result()[1]


STEPANOV = Passage(source="sanctions.txt", doc_id="sanctions.txt", title="Canada widens sanctions on Russia",
                   outlet="Post", language="en", published="2023-01-16", score=0.5, chunk=0,
                   text="Canada imposed sanctions on 200 more Russian officials on Monday. Foreign Minister Melanie "
                        "Joly said Ottawa would keep up the pressure. Russia's ambassador Oleg Stepanov called the "
                        "sanctions useless. He said the sanctions would only hurt ordinary Canadians.")
ASKED = "What did Stepanov say about Canada's sanctions against Russia?"


def test_the_speakers_words_must_be_named_as_theirs() -> None:
    """public p04 (a host without AVX-512): asked what Stepanov said, the answer gave Joly's words."""
    assert words_asked_of(ASKED) == "stepanov"
    assert speaker_unnamed("stepanov", "Joly said Ottawa would keep up the pressure.",
                           "Canada imposed sanctions on 200 more Russian officials on Monday. Foreign Minister "
                           "Melanie Joly said Ottawa would keep up the pressure.")
    assert not speaker_unnamed("stepanov", "Stepanov called the sanctions useless.", "")
    # "He said ..." whose sentence before names him
    assert not speaker_unnamed("stepanov", "He said the sanctions would only hurt ordinary Canadians.",
                               "Russia's ambassador Oleg Stepanov called the sanctions useless. He said the "
                               "sanctions would only hurt ordinary Canadians.")
    # "He said ..." alone: the question named him (a follow-up's rewrite, tests/test_openai_path.py)
    assert not speaker_unnamed("stepanov", "He said the sanctions are useless.", "Sanctions are useless.")
    # a figure the speaker gave is not their words: the answer need not name them
    assert words_asked_of("How many soldiers did Trudeau say Canada would send?") == ""


def test_an_answer_of_another_speakers_words_is_an_abstention() -> None:
    wrong = Draft(ASKED, [STEPANOV], "en")
    wrong.feed("Joly said Ottawa would keep up the pressure on Russia [1].")
    wrong.finish()
    text, abstained, _ = wrong.result()
    assert abstained and text == ABSTAIN_TEXT
    assert any("whose words the question asks for" in why for why in wrong.dropped), wrong.dropped
    for raw in ("Stepanov called the sanctions useless [1].", "He said the sanctions would only hurt ordinary "
                                                              "Canadians [1]."):
        right = Draft(ASKED, [STEPANOV], "en")
        right.feed(raw)
        right.finish()
        assert not right.result()[1], (raw, right.dropped)
