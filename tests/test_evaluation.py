from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.evaluation.report import markdown
from rag.evaluation.scoring import Case, EvalFileError, answer_correct, load_cases, normalise, run_eval, score_case
from rag.schema import Answer, Citation, Passage

SHARED_QUESTIONS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "questions.jsonl"


def p(source: str) -> Passage:
    return Passage(source=source, doc_id=source, title="", outlet="", language="", published="", text="t",
                   score=0.5, chunk=0)


def answer(text: str, retrieved: list[str], cited: list[str], abstained: bool = False) -> Answer:
    return Answer(question="q", text=text, abstained=abstained, retrieved=[p(s) for s in retrieved],
                  citations=[Citation(i + 1, p(s)) for i, s in enumerate(cited)], timings_ms={"first_token": 5.0,
                                                                                            "total": 9.0})


def case(**kw: object) -> Case:
    base: dict[str, object] = {"id": "c", "question": "q", "expect": [["500 million", "500m"], ["bali", "g20"]],
                               "sources": ["gold.txt"], "answerable": True, "kind": "factoid"}
    base.update(kw)
    return Case(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw,norm", [("4,500 Soldiers", "4500 soldiers"), ("100 000  troops", "100000 troops"),
                                      ("１２３", "123"), ("1,234,567", "1234567"), ("3, 4", "3, 4")])
def test_normalise(raw: str, norm: str) -> None:
    assert normalise(raw) == norm


def test_every_group_needs_one_alternative() -> None:
    assert answer_correct("An envelope of $500 million at the G20.", [["500 million"], ["bali", "g20"]])
    assert not answer_correct("An envelope of $500 million.", [["500 million"], ["bali", "g20"]])


def test_score_answerable_case() -> None:
    row = score_case(case(), answer("$500 million in Bali [1][2].", ["x.txt", "gold.txt", "gold.txt"],
                                    ["gold.txt", "x.txt"]))
    assert row["hit@1"] == 0.0 and row["hit@5"] == 1.0 and row["mrr"] == 0.5
    assert row["answer_accuracy"] == 1.0
    assert row["citation_accuracy"] == 1.0 and row["citation_precision"] == 0.5
    assert row["abstention_accuracy"] == 1.0


def test_score_unanswerable_case_only_counts_abstention() -> None:
    c = case(expect=[], sources=[], answerable=False, kind="unanswerable")
    row = score_case(c, answer("I don't know", ["x.txt"], [], abstained=True))
    assert row["abstention_accuracy"] == 1.0
    assert row["hit@5"] is None and row["citation_precision"] is None


def test_run_eval_survives_a_failing_case_and_aggregates_per_kind() -> None:
    cases = [case(id="1"), case(id="2", kind="multi-doc"), case(id="3", answerable=False, sources=[], expect=[],
                                                               kind="unanswerable")]

    def ask(c: Case) -> Answer:
        if c.id == "2":
            raise RuntimeError("boom")
        if not c.answerable:
            return answer("Canberra.", ["x.txt"], ["x.txt"])
        return answer("$500m, G20 [1].", ["gold.txt"], ["gold.txt"])

    report = run_eval(cases, ask)
    assert report["errors"] == 1
    assert report["per_kind"]["factoid"]["answer_accuracy"] == 1.0
    assert report["per_kind"]["multi-doc"]["answer_accuracy"] == 0.0
    assert report["per_kind"]["unanswerable"]["abstention_accuracy"] == 0.0
    assert report["overall"]["answer_accuracy"] == 0.5
    assert report["overall"]["citation_precision"] == 1.0  # only cases that cite count
    assert report["latency"]["ttft_median_ms"] == 5.0

    page = markdown(report, "t", None)
    assert "## Cases that lost points" in page
    assert "| 2 | multi-doc | q | RuntimeError: boom | — | — |" in page  # the failed case, with its error
    assert "| 3 | unanswerable | q | Canberra. | x.txt | — |" in page  # answered what it should not have
    assert "| 1 | factoid |" not in page  # full marks: not listed
    withheld = answer("I could not find this in the articles.", ["gold.txt"], [], abstained=True)
    withheld.held_back = ["the model was unsure of its answer | (mean -0.9)"]
    page = markdown(run_eval([case(id="4")], lambda c: withheld), "t", None)
    assert "| the model was unsure of its answer \\| (mean -0.9) |" in page  # why it was withheld, escaped


def test_load_cases_reads_shared_format(tmp_path: Path) -> None:
    if SHARED_QUESTIONS.is_file():
        cases = load_cases(SHARED_QUESTIONS)
        assert any(c.history for c in cases) and any(not c.answerable for c in cases)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "question": "q"}) + "\n{oops\n")
    with pytest.raises(EvalFileError, match=":2:"):
        load_cases(bad)
