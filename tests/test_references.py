"""The references block: what keeps `[n]` resolvable in clients that drop `sources`."""

from __future__ import annotations

from rag.references import excerpt, references_block
from rag.schema import Answer, Citation, Passage

TRUDEAU = Passage("004_ca42ec8f4e875d75.txt", "004", "Zelensky and Trudeau", "CTV News", "en", "2023-01",
                  "Zelensky thanked Canada. Trudeau announced $500 million in military aid for Ukraine. "
                  "The talks lasted an hour.", 0.9, 2)
JAKARTA = Passage("000_b04c980d226a749c.txt", "000", "Pemanggilan Dubes", "ANTARA", "id", "2023-01",
                  "Kanada memanggil duta besar Rusia Oleg Stepanov.", 0.8, 0,
                  translation="Canada summoned Russian ambassador Oleg Stepanov.")


def test_each_citation_gets_a_line_with_its_source_and_backing_sentence() -> None:
    answer = Answer("q", "Trudeau announced $500 million [1]. Canada summoned Oleg Stepanov [2].", False,
                    citations=[Citation(1, TRUDEAU), Citation(2, JAKARTA)])
    lines = references_block(answer).splitlines()
    assert lines[0] == "References:"
    assert lines[1] == ('[1] Zelensky and Trudeau — CTV News, 2023-01 (004_ca42ec8f4e875d75.txt): '
                        '"Trudeau announced $500 million in military aid for Ukraine."')
    assert lines[2].startswith('[2] Pemanggilan Dubes — ANTARA, 2023-01 (000_b04c980d226a749c.txt): "Kanada')
    assert lines[2].endswith('(translation: "Canada summoned Russian ambassador Oleg Stepanov.")')


def test_an_abstention_has_no_references() -> None:
    assert references_block(Answer("q", "I don't know: the articles don't say.", True)) == ""


def test_excerpts_are_one_line_and_cut_at_a_word() -> None:
    assert excerpt("a\nb   c") == "a b c"
    cut = excerpt("word " * 100, limit=22)
    assert cut == "word word word word…"
