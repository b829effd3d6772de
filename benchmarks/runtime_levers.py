"""Where the bundled model's first token waits, and llama.cpp settings that might shorten it.

Run each command in a new process (a setting takes a server of its own), one at a time:

    python benchmarks/runtime_levers.py prompts /tmp/prompts.json       # the public questions' prompts
    python benchmarks/runtime_levers.py breakdown                       # prompt / generation / rest
    python benchmarks/runtime_levers.py ubatch /tmp/prompts.json 128    # prompt tokens/s
    python benchmarks/runtime_levers.py repack /tmp/prompts.json off    # weights repacked or not
    python benchmarks/runtime_levers.py spec /tmp/prompts.json ngram_simple 3 12 12
    python benchmarks/runtime_levers.py logprobs                        # decode with / without

Figures and what was kept: docs/llm-runtime.md. Speeds come from llama.cpp's own `timings`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from rag.settings import PROJECT_ROOT, Settings

PUBLIC = PROJECT_ROOT / "data" / "eval" / "public.jsonl"


def write_prompts(out: Path) -> None:
    """The answer prompts the app builds for the single-turn public questions."""
    from rag.assistant import Assistant
    from rag.evaluation.scoring import load_cases
    from rag.prompts import answer_messages

    bot = Assistant(Settings())
    prompts = []
    for case in load_cases(PUBLIC):
        if case.history:
            continue
        found = bot.retrieve(case.question)
        passages = bot._widened(bot._given(case.question, found, "en", bot.retriever.articles(found)), "en")
        prompts.append(answer_messages(case.question, passages, False))
    out.write_text(json.dumps(prompts))
    print(f"{len(prompts)} prompts in {out}")


def server(configure: Callable[[Any], None] = lambda params: None) -> httpx.Client:
    """A llama.cpp server for the bundled model, its CommonParams changed by `configure`."""
    import xllamacpp

    from rag.local_model import ensure_local_model

    params = xllamacpp.CommonParams()
    params.model.path = str(ensure_local_model(Settings().model_cache_dir))
    params.n_ctx, params.n_parallel, params.port, params.verbosity = 4096, 1, 0, -1
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = Settings().llm_threads
    params.hostnames = ["127.0.0.1"]
    params.no_extra_bufts = not Settings().llm_repack  # as the app loads it (`rag.llm.LocalServer`)
    configure(params)
    running = xllamacpp.Server(params)
    client = httpx.Client(base_url=str(running.listening_address).rstrip("/"), timeout=300)
    client._keep = running  # type: ignore[attr-defined]  # the server lives as long as its client
    return client


def ubatch(prompts: list[list[dict[str, str]]], size: int) -> None:
    """Prompt tokens/s with micro-batch `size`, each prompt after the cached fixed prefix alone."""
    client = server(lambda params: setattr(params, "n_ubatch", size))
    prefix = [*prompts[0][:-1], {"role": "user", "content": "Sources:\n"}]
    tokens = ms = 0.0
    for messages in prompts:
        client.post("/v1/chat/completions", json={"messages": prefix, "max_tokens": 1})
        timings = client.post("/v1/chat/completions", json={"messages": messages, "max_tokens": 16,
                                                            "temperature": 0}).json()["timings"]
        tokens, ms = tokens + timings["prompt_n"], ms + timings["prompt_ms"]
    print(json.dumps({"n_ubatch": size, "prompt_tokens_per_s": round(tokens / ms * 1000, 1),
                      "mean_prompt_ms": round(ms / len(prompts))}))


def repack(prompts: list[list[dict[str, str]]], on: bool) -> None:
    """Prompt and decode tokens/s with llama.cpp's weight repacking on (its default: Q4_K weights
    interleaved for the CPU's wide kernels) or off (`no_extra_bufts`, what `--no-repack` sets)."""
    client = server(lambda params: setattr(params, "no_extra_bufts", not on))
    prefix = [*prompts[0][:-1], {"role": "user", "content": "Sources:\n"}]
    tokens = ms = made = made_ms = 0.0
    for messages in prompts:
        client.post("/v1/chat/completions", json={"messages": prefix, "max_tokens": 1})
        timings = client.post("/v1/chat/completions", json={"messages": messages, "max_tokens": 48,
                                                            "temperature": 0}).json()["timings"]
        tokens, ms = tokens + timings["prompt_n"], ms + timings["prompt_ms"]
        made, made_ms = made + timings["predicted_n"], made_ms + timings["predicted_ms"]
    print(json.dumps({"repack": on, "prompt_tokens_per_s": round(tokens / ms * 1000, 1),
                      "mean_prompt_ms": round(ms / len(prompts)),
                      "decode_tokens_per_s": round(made / made_ms * 1000, 1)}))


def speculative(prompts: list[list[dict[str, str]]], kind: str, n: int, m: int, most: int) -> None:
    """Generation speed of the real answers with a draft-less speculative decoder (`kind`: none,
    ngram_simple, ngram_map_k; `n`-token key, `m`-token draft, at most `most` drafted)."""
    import xllamacpp

    def drafting(params: Any) -> None:
        if kind == "none":
            return
        spec = params.speculative
        spec.types = [getattr(xllamacpp.common_speculative_type, f"COMMON_SPECULATIVE_TYPE_{kind.upper()}")]
        for table in (spec.ngram_simple, spec.ngram_map_k):
            table.size_n, table.size_m = n, m
        spec.draft.n_max = most

    client = server(drafting)
    made = ms = drafted = accepted = 0.0
    for messages in prompts:
        timings = client.post("/v1/chat/completions", json={"messages": messages, "max_tokens": 80,
                                                            "temperature": 0}).json()["timings"]
        made, ms = made + timings["predicted_n"], ms + timings["predicted_ms"]
        drafted, accepted = drafted + timings.get("draft_n", 0), accepted + timings.get("draft_n_accepted", 0)
    print(json.dumps({"kind": kind, "n": n, "m": m, "tokens_per_s": round(made / ms * 1000, 1),
                      "mean_generation_ms": round(ms / len(prompts)), "drafted": drafted, "accepted": accepted}))


def logprobs() -> None:
    """Decode speed of one long generation with and without per-token log-probabilities."""
    from rag.bench.llm import DECODE_PROMPT
    from rag.llm import make_chat_model

    model = make_chat_model(Settings())
    messages = [{"role": "user", "content": DECODE_PROMPT}]  # the prompt `rag bench` times decoding with
    for extra in ({}, {"logprobs": True}, {"logprobs": True, "top_logprobs": 1}):
        first, count = 0.0, 0
        stream: Any = model.client.chat.completions.create(model=model.model, messages=messages,  # type: ignore
                                                           max_tokens=120, temperature=0, stream=True, **extra)
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                first, count = first or time.perf_counter(), count + 1
        print(json.dumps({"request": extra, "tokens_per_s": round((count - 1) / (time.perf_counter() - first), 1)}))


def breakdown() -> None:
    """Each public question's time to first token beside llama.cpp's prompt and generation times."""
    from rag import llm
    from rag.assistant import Assistant
    from rag.evaluation.scoring import load_cases

    seen: list[dict[str, Any]] = []
    create = llm.ChatModel._create

    def timed(self: llm.ChatModel, messages: Any, **kw: Any) -> Any:
        response = create(self, messages, **kw)
        if not kw.get("stream"):
            return response

        class Recorded:
            def __iter__(self) -> Any:
                for chunk in response:
                    if (getattr(chunk, "model_extra", None) or {}).get("timings"):
                        seen.append(chunk.model_extra["timings"])
                    yield chunk

            def close(self) -> None:
                response.close()

        return Recorded()

    llm.ChatModel._create = timed  # type: ignore[method-assign]
    bot = Assistant(Settings())
    bot.ask("A warm-up question about Canada")
    shares: list[tuple[float, float, float, float]] = []
    for case in load_cases(PUBLIC):
        seen.clear()
        answer = bot.ask(case.question, case.history or None)
        if len(seen) == 1 and not case.history:
            shares.append((seen[0]["prompt_ms"], seen[0]["predicted_ms"], answer.timings_ms["retrieve"],
                           answer.timings_ms["first_token"]))
    total = sum(s[3] for s in shares)
    print(json.dumps({"questions": len(shares), "prompt": round(sum(s[0] for s in shares) / total, 3),
                      "generation": round(sum(s[1] for s in shares) / total, 3),
                      "retrieval": round(sum(s[2] for s in shares) / total, 3),
                      "first_token_median_ms": statistics.median(s[3] for s in shares)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["prompts", "breakdown", "ubatch", "repack", "spec", "logprobs"])
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    if args.what == "prompts":
        write_prompts(Path(args.rest[0]))
    elif args.what == "breakdown":
        breakdown()
    elif args.what == "logprobs":
        logprobs()
    else:
        prompts = json.loads(Path(args.rest[0]).read_text())
        if args.what == "ubatch":
            ubatch(prompts, int(args.rest[1]))
        elif args.what == "repack":
            repack(prompts, args.rest[1] == "on")
        else:
            speculative(prompts, args.rest[1], *(int(x) for x in (args.rest[2:5] or (0, 0, 0))))


if __name__ == "__main__":
    main()
