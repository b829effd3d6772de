"""Re-check the drafts of a recorded eval run with today's checks, without the LLM.

    RAG_INDEX_DIR=index-dev python benchmarks/replay_checks.py reports/dev.json data/eval/dev.jsonl \
        data/articles data/eval/corpus [-v]

`rag eval --json` records, per case, the model's draft and the passages it read. Feeding each
draft through `rag.draft.Draft` again, in the chunks a stream would bring, gives the answer
today's checks would show for the same model output: answer accuracy, wrong-answer rate and
abstention accuracy over the run, as `rag eval` scores them. A draft the app retried (or read in
translation) is replayed over the passages of its last attempt only, which is what the report
holds. `-v` lists every case whose outcome changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.casing import recased
from rag.documents import scan
from rag.draft import Draft
from rag.evaluation.scoring import Case, answer_correct, load_cases
from rag.language import question_language
from rag.schema import Passage
from rag.settings import Settings
from rag.store import IndexStore


def articles_by_source(roots: list[Path], store: IndexStore) -> dict[str, str]:
    """Each article's text as the index holds it (what the app checks names against), by file name."""
    return {a.source: store.article_text(a.doc_id, a.content_hash) or a.text for a in scan(roots).articles}


def passages_of(row: dict[str, Any]) -> list[Passage]:
    return [Passage(source=g["source"], doc_id=g["source"], title=g.get("title") or "", outlet=g.get("outlet") or "",
                    language=g.get("language") or "", published=g.get("published") or "", text=g["text"], score=0.0,
                    chunk=0, translation=g.get("translation") or "") for g in row.get("given", [])]


def replay(row: dict[str, Any], case: Case, articles: dict[str, str],
           lookup: Callable[[str], str | None] | None = None) -> tuple[str, bool]:
    """The answer and abstention today's checks make of the recorded draft."""
    passages = passages_of(row)
    # as the assistant does, over the articles of the passages it read (it reads those of all it retrieved)
    question = recased(row.get("standalone") or case.question,
                       [articles.get(p.source, "") + " " + p.text + " " + p.translation for p in passages], lookup)
    draft = Draft(question, passages, question_language(question), articles=articles)
    raw = row.get("draft") or ""
    for start in range(0, len(raw), 4):  # a stream brings a few characters at a time
        draft.feed(raw[start:start + 4])
        if draft.stopped:
            break
    draft.finish()
    text, abstained, _ = draft.result()
    return text, abstained


def outcome(case: Case, text: str, abstained: bool) -> str:
    if abstained:
        return "abstained"
    return "right" if case.answerable and answer_correct(text, case.expect) else "wrong"


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    report_path, questions_path, *roots = [a for a in argv if a != "-v"]
    store = IndexStore.open(Settings())
    articles = articles_by_source([Path(r) for r in roots], store)
    cases = {c.id: c for c in load_cases(Path(questions_path))}
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    rows = [r for r in report["cases"] if r.get("answer") is not None]
    tally = {"right": 0, "wrong": 0, "abstention ok": 0}
    answerable = sum(cases[r["id"]].answerable for r in rows)
    for row in rows:
        case = cases[row["id"]]
        text, abstained = replay(row, case, articles, store.name_form)
        now = outcome(case, text, abstained)
        before = outcome(case, row["answer"], bool(row["abstained"]))
        tally["right"] += now == "right"
        tally["wrong"] += now == "wrong"
        tally["abstention ok"] += abstained == (not case.answerable)
        if verbose and now != before:
            print(f"{case.id}: {before} -> {now}: {text[:160]!r}")
    n = len(rows)
    print(f"{report_path}: {n} cases; answer {tally['right'] / answerable:.2f}, wrong-answer rate "
          f"{tally['wrong'] / n:.2f}, abstention {tally['abstention ok'] / n:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
