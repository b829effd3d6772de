"""`rag eval`: the scoring of ../shared/eval/README.md, implemented exactly.

Scores (each over the cases where it applies):
- hit@k: a gold source is among the documents of the top-k retrieved passages (answerable cases)
- MRR: mean reciprocal rank of the first passage from a gold source (answerable cases)
- answer accuracy: every `expect` group has an alternative in the normalised answer (answerable)
- citation accuracy: the answer cites something, and something cited is from a gold source (answerable)
- citation precision: share of cited passages from a gold source, over answerable cases citing anything
- abstention accuracy: abstains on unanswerable cases, answers the answerable ones (all cases)
- wrong-answer rate: answers that are wrong, over all cases: an answerable case answered without
  every expect group matched, or an unanswerable case answered (abstaining never counts here)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.evaluation.stats import percentile
from rag.schema import Answer

SCORES = ("hit@1", "hit@5", "mrr", "answer_accuracy", "citation_accuracy", "citation_precision",
          "abstention_accuracy", "wrong_answer_rate")
RETRIEVAL_SCORES = ("hit@1", "hit@5", "mrr")


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    expect: list[list[str]]
    sources: list[str]
    answerable: bool
    kind: str
    history: list[dict[str, str]] = field(default_factory=list)
    reference: str = ""


class EvalFileError(RagError, ValueError):
    pass


def load_cases(path: Path) -> list[Case]:
    """Read a questions file, failing with the line number on the first malformed case."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read ({exc})") from exc
    cases = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(Case(
                id=str(raw["id"]),
                question=str(raw["question"]),
                expect=[[str(alt) for alt in group] for group in raw.get("expect", [])],
                sources=[str(s) for s in raw.get("sources", [])],
                answerable=bool(raw.get("answerable", True)),
                kind=str(raw.get("kind", "unknown")),
                history=[{"role": str(t["role"]), "content": str(t["content"])} for t in raw.get("history", [])],
                reference=str(raw.get("reference", "")),
            ))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise EvalFileError(f"{path}:{lineno}: not a valid case ({type(exc).__name__}: {exc})") from exc
    if not cases:
        raise EvalFileError(f"{path}: no cases")
    return cases


def normalise(text: str) -> str:
    """NFKC, lower case, thousands separators inside numbers removed, white space collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d)[,\u202f\u2009 ](?=\d{3}(?!\d))", "", text)
    return re.sub(r"\s+", " ", text).strip()


def answer_correct(answer: str, expect: Sequence[Sequence[str]]) -> bool:
    norm = normalise(answer)
    return all(any(normalise(alt) in norm for alt in group) for group in expect)


def score_case(case: Case, answer: Answer | None) -> dict[str, Any]:
    """Per-case figures; None for a score that does not apply to this case."""
    row: dict[str, Any] = {"id": case.id, "kind": case.kind, "question": case.question}
    if answer is None:
        row.update({name: (0.0 if case.answerable or name == "abstention_accuracy" else None) for name in SCORES})
        row["citation_precision"] = None
        row["wrong_answer_rate"] = 0.0  # a failed case gave no answer: not a confident mistake
        return row
    retrieved = [p.source for p in answer.retrieved]
    cited = [c.passage.source for c in answer.citations]
    gold = set(case.sources)
    row["answer"] = answer.text
    row["abstained"] = answer.abstained
    row["cited"] = cited
    row["retrieved"] = retrieved
    row["abstention_accuracy"] = float(answer.abstained == (not case.answerable))
    row["standalone"] = answer.standalone_question
    row["draft"] = answer.draft  # what the model wrote, and what it read: to study a case offline
    row["given"] = [{"source": p.source, "published": p.published, "language": p.language, "title": p.title,
                     "outlet": p.outlet, "text": p.text, "translation": p.translation} for p in answer.given]
    row["held_back"] = answer.held_back  # why the checks kept sentences (or the whole answer) back
    row["certainty"] = answer.certainty  # mean log-probability of its least sure words (None: not sent)
    row["ttft_ms"] = answer.timings_ms.get("first_token")
    row["total_ms"] = answer.timings_ms.get("total")
    if not case.answerable:
        row.update({"hit@1": None, "hit@5": None, "mrr": None, "answer_accuracy": None,
                    "citation_accuracy": None, "citation_precision": None,
                    "wrong_answer_rate": float(not answer.abstained)})
        return row
    row["hit@1"] = float(any(s in gold for s in retrieved[:1]))
    row["hit@5"] = float(any(s in gold for s in retrieved[:5]))
    rank = next((i for i, s in enumerate(retrieved, start=1) if s in gold), None)
    row["mrr"] = 1.0 / rank if rank else 0.0
    row["answer_accuracy"] = float(answer_correct(answer.text, case.expect))
    row["wrong_answer_rate"] = float(not answer.abstained and not row["answer_accuracy"])
    row["citation_accuracy"] = float(bool(cited) and any(s in gold for s in cited))
    row["citation_precision"] = (sum(s in gold for s in cited) / len(cited)) if cited else None
    return row


def _mean(values: Iterable[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def _at(values: Sequence[float], q: float) -> float | None:
    return round(percentile(values, q), 1) if values else None


def summarise(rows: Sequence[dict[str, Any]], scores: Sequence[str] = SCORES) -> dict[str, Any]:
    kinds = sorted({r["kind"] for r in rows})
    overall = {name: _mean(r.get(name) for r in rows) for name in scores}
    per_kind = {k: {name: _mean(r.get(name) for r in rows if r["kind"] == k) for name in scores} | {
        "n": sum(r["kind"] == k for r in rows)} for k in kinds}
    ttft = [r["ttft_ms"] for r in rows if r.get("ttft_ms") is not None]
    total = [r["total_ms"] for r in rows if r.get("total_ms") is not None]
    latency = {
        "ttft_median_ms": _at(ttft, 50), "ttft_p95_ms": _at(ttft, 95),
        "total_median_ms": _at(total, 50), "total_p95_ms": _at(total, 95),
    }
    return {"n": len(rows), "errors": sum(1 for r in rows if r.get("error")), "scores": list(scores),
            "overall": overall, "per_kind": per_kind, "latency": latency, "cases": list(rows)}


def retrieval_query(case: Case) -> str:
    """What retrieval-only runs search for: a follow-up has no LLM to rewrite it, so the previous
    question stands in for the conversation."""
    earlier = [t["content"] for t in case.history if t.get("role") == "user"]
    return f"{earlier[-1]} {case.question}" if earlier else case.question


def run_eval(cases: Sequence[Case], ask: Callable[[Case], Answer],
             on_case: Callable[[Case, dict[str, Any]], None] | None = None,
             scores: Sequence[str] = SCORES) -> dict[str, Any]:
    """Ask every case and score it. A failing case is scored as wrong and the run goes on."""
    rows = []
    for case in cases:
        try:
            row = score_case(case, ask(case))
        except Exception as exc:  # one broken case must not cost the whole report
            row = score_case(case, None) | {"error": f"{type(exc).__name__}: {exc}"}
        rows.append(row)
        if on_case:
            on_case(case, row)
    return summarise(rows, scores)
