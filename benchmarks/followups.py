"""Which questions `rag.followups.stands_alone` sends to the LLM rewrite, over eval question files.

    python benchmarks/followups.py data/eval/dev.jsonl data/eval/holdout.jsonl data/eval/public.jsonl

Follow-up turns (a follow-up case's question and the later user turns of its history) should go
to the rewrite; every other question, as if asked mid-conversation, should not.
"""

from __future__ import annotations

import json
import sys

from rag.followups import pointing_words, stands_alone


def main(paths: list[str]) -> None:
    for path in paths:
        follow_ups: list[str] = []
        alone: list[str] = []
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                case = json.loads(line)
                if case["kind"] == "follow-up":
                    later = [m["content"] for m in case.get("history", []) if m["role"] == "user"][1:]
                    follow_ups += [case["question"], *later]
                else:
                    alone.append(case["question"])
        missed = [q for q in follow_ups if stands_alone(q)]
        needless = [q for q in alone if not stands_alone(q)]
        print(f"{path}: follow-ups sent to the rewrite {len(follow_ups) - len(missed)}/{len(follow_ups)}; "
              f"standalone searched as they are {len(alone) - len(needless)}/{len(alone)}")
        for q in missed:
            print(f"   follow-up searched alone: {q}")
        for q in needless:
            print(f"   needless rewrite: {q}  {pointing_words(q)}")


if __name__ == "__main__":
    main(sys.argv[1:])
