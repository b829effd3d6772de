"""Would an LLM judge pay? Ask the bundled model to judge the answers of a recorded eval run.

    RAG_INDEX_DIR=index-dev python benchmarks/judge.py reports/dev.json data/eval/dev.jsonl

For every case the run answered (not abstained), the judge is asked, with the model's draft and
the passages it read (recorded by `rag eval --json`), whether the answer is stated by its sources
for this question. The table says how many wrong answers each wording catches and how many right
answers it would withhold, and what it costs in time.

Variants:
- `continue`: the answer conversation as the model saw it, its own answer, then one more user turn
  with the question to judge; llama.cpp reuses the KV cache of everything before that turn, so
  only ~40 tokens are new.
- `cited`: a fresh short prompt with the cited passages only.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from replay_checks import passages_of  # the same recorded passages, rebuilt one way

from rag.assistant import Assistant
from rag.evaluation.scoring import answer_correct, load_cases
from rag.llm import ChatModel
from rag.prompts import CITATION, answer_messages, format_sources
from rag.schema import Passage
from rag.settings import Settings

Message = dict[str, str]

CONTINUE_QUESTIONS = {
    "continue": (
        "Check your answer against the sources. Do the sources you cited state this answer to my "
        "question, about the same people, place, date and event that my question names? "
        "Reply with yes or no only."
    ),
}

CITED_SYSTEM = (
    "You check answers against news passages. Reply with yes or no only: yes when the passages "
    "state the answer to the question, about the same people, place, date and event the question "
    "names; no otherwise."
)


def cited_of(draft: str, passages: Sequence[Passage]) -> list[Passage]:
    numbers = {
        int(n)
        for m in CITATION.finditer(draft)
        for n in m.group(1).replace("source", "").split(",")
        if n.strip().isdigit()
    }
    return [passages[n - 1] for n in sorted(numbers) if 0 < n <= len(passages)]


def p_yes(model: ChatModel, messages: list[Message]) -> float:
    """The judge's probability of "yes" over "yes" or "no", from its first token's top choices."""
    response = model.client.chat.completions.create(
        model=model.model,
        messages=messages,  # type: ignore[arg-type]
        max_tokens=1,
        temperature=0.0,
        logprobs=True,
        top_logprobs=10,
    )
    content = response.choices[0].logprobs.content if response.choices[0].logprobs else None
    yes = no = 0.0
    for top in content[0].top_logprobs if content else []:
        word = top.token.strip().lower()
        yes += math.exp(top.logprob) if word.startswith("yes") else 0.0
        no += math.exp(top.logprob) if word.startswith("no") else 0.0
    return yes / (yes + no) if yes + no else 0.5


def judge_continue(model: ChatModel, wording: str) -> Callable[[str, str, list[Passage]], float]:
    def judge(question: str, draft: str, passages: list[Passage]) -> float:
        messages: list[Message] = [
            *answer_messages(question, passages),
            {"role": "assistant", "content": draft},
            {"role": "user", "content": wording},
        ]
        return p_yes(model, messages)

    return judge


def judge_cited(model: ChatModel) -> Callable[[str, str, list[Passage]], float]:
    def judge(question: str, draft: str, passages: list[Passage]) -> float:
        cited = cited_of(draft, passages) or passages
        user = (
            f"Passages:\n{format_sources(cited)}\n\nQuestion: {question}\n"
            f"Answer: {CITATION.sub('', draft).strip()}\n\nDo the passages state this answer to the question?"
        )
        return p_yes(model, [{"role": "system", "content": CITED_SYSTEM}, {"role": "user", "content": user}])

    return judge


THRESHOLDS = (0.1, 0.3, 0.5, 0.7, 0.9, 0.97)


def main(report_path: str, questions_path: str) -> None:
    settings = Settings()
    assistant = Assistant(settings)
    model = assistant.chat_model
    cases = {c.id: c for c in load_cases(Path(questions_path))}
    rows = [
        r
        for r in json.loads(Path(report_path).read_text(encoding="utf-8"))["cases"]
        if r.get("given") and (r.get("draft") or "").strip() and not r["draft"].strip().startswith("I don't know")
    ]
    judges = {name: judge_continue(model, wording) for name, wording in CONTINUE_QUESTIONS.items()
              if name in sys.argv[3:]}
    judges["cited"] = judge_cited(model)
    for name, judge in judges.items():
        scored: list[tuple[float, bool, bool]] = []  # p(yes), right, shown by today's checks
        seconds: list[float] = []
        for row in rows:
            case = cases[row["id"]]
            right = case.answerable and answer_correct(CITATION.sub("", row["draft"]), case.expect)
            passages = passages_of(row)
            if name != "cited":  # the answer prompt first, as the app leaves llama.cpp's cache
                model.complete(answer_messages(row.get("standalone") or case.question, passages), max_tokens=1)
            start = time.perf_counter()
            verdict = judge(row.get("standalone") or case.question, row.get("draft") or row["answer"], passages)
            seconds.append(time.perf_counter() - start)
            scored.append((verdict, right, not row["abstained"]))
            print(
                f"{name} {row['id']} {'RIGHT' if right else 'WRONG'} shown={not row['abstained']} p(yes)={verdict:.3f}",
                flush=True,
            )
        seconds.sort()
        print(f"== {name}: judge seconds p50 {seconds[len(seconds) // 2]:.2f}", flush=True)
        for threshold in THRESHOLDS:
            print(f"   p(yes) < {threshold}: all drafts {caught(scored, threshold, False)}; "
                  f"shown today {caught(scored, threshold, True)}", flush=True)


def caught(scored: list[tuple[float, bool, bool]], threshold: float, shown_only: bool) -> str:
    """How many wrong drafts a threshold withholds, and how many right ones."""
    kept = [(p, right) for p, right, shown in scored if shown or not shown_only]
    wrong = [p for p, right in kept if not right]
    right = [p for p, r in kept if r]
    return (f"wrong caught {sum(p < threshold for p in wrong)}/{len(wrong)}, "
            f"right withheld {sum(p < threshold for p in right)}/{len(right)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
