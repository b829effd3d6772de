"""The benchmark's figures that need the LLM: answer speed in this process, and the cold start of
`rag serve` and `rag ui` to their first complete answer (each in a new process group, always stopped)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.embeddings import BaseEmbedding

from rag.bench.chroma_server import free_port
from rag.bench.timing import Progress, summary
from rag.evaluation.stats import percentile
from rag.llm import ChatModel, Message
from rag.schema import Token
from rag.settings import PROJECT_ROOT, Settings

LLM_QUESTIONS = ("Who is Russia's ambassador to Canada?",
                 "What did Zelensky and Trudeau discuss in their call?",
                 "What did the Russian embassy accuse Canada of?")
# The public eval questions (over the bundled articles) when the checkout has them: the time to the
# first token is a distribution, and its p50 and p95 over real questions are the figures that count.
PUBLIC_QUESTIONS = PROJECT_ROOT / "data" / "eval" / "public.jsonl"
STARTUP_QUESTION = "Who is Russia's ambassador to Canada?"
# Answers to the questions are a sentence long; decode speed is measured on a longer generation too.
DECODE_PROMPT = "Write a detailed 400-word news report about a city council approving a new light-rail line."
DECODE_TOKENS = 160


# -- the embedded LLM -------------------------------------------------------------------------------


class CountingChatModel(ChatModel):
    """A chat model that times each streamed call: request sent, first and last delta, and the
    number of deltas (llama.cpp's server streams one delta per generated token)."""

    def __init__(self, inner: ChatModel) -> None:
        # The same client, limits and state as `inner` (whatever ChatModel holds), without a new connection.
        self.__dict__.update(inner.__dict__)
        self.calls: list[tuple[float, float, float, int]] = []

    def stream_tokens(self, messages: Sequence[Message], *, max_tokens: int = 384, temperature: float = 0.0,
                      stop: Sequence[str] | None = None) -> Generator[Token, None, None]:
        start = first = last = time.perf_counter()
        count = 0
        for token in super().stream_tokens(messages, max_tokens=max_tokens, temperature=temperature, stop=stop):
            last = time.perf_counter()
            first = last if count == 0 else first
            count += 1
            yield token
        self.calls.append((start, first, last, count))


def llm_bench(settings: Settings, embedder: BaseEmbedding, progress: Progress) -> dict[str, Any]:
    """Time to first token and decode speed of the configured LLM over the bundled articles."""
    from rag.assistant import Assistant
    from rag.llm import make_chat_model
    from rag.prompts import answer_messages

    start = time.perf_counter()
    prefix = answer_messages("", [], settings.group_sources)[:-1]  # as Assistant.warm_up
    model = CountingChatModel(make_chat_model(settings, prefix))
    load_s = time.perf_counter() - start
    bot = Assistant(settings, chat_model=model, embedder=embedder)
    bot.retrieve(LLM_QUESTIONS[0])  # loads the second embedding model outside the timings
    rows: list[dict[str, Any]] = []
    asked = bench_questions()
    for n, (question, history) in enumerate(asked, start=1):
        progress(f"LLM {n}/{len(asked)}: {question}")
        model.calls.clear()
        answer = bot.ask(question, history or None)
        tokens = sum(c[3] for c in model.calls)
        decode_s = sum(c[2] - c[1] for c in model.calls)
        generate_s = sum(c[2] - c[0] for c in model.calls)
        rows.append({"question": question, "ttft_ms": answer.timings_ms.get("first_token"),
                     "total_ms": answer.timings_ms.get("total"), "retrieve_ms": answer.timings_ms.get("retrieve"),
                     "llm_calls": len(model.calls), "tokens": tokens, "translated": "translate" in answer.timings_ms,
                     "decode_tokens_per_s": round(sum(c[3] - 1 for c in model.calls) / decode_s, 2)
                     if decode_s > 0 else None,
                     "tokens_per_s": round(tokens / generate_s, 2) if generate_s > 0 else None,
                     "abstained": answer.abstained, "answer": answer.text})
    progress("LLM: decode speed on a long answer")
    model.calls.clear()
    for _ in model.stream([{"role": "user", "content": DECODE_PROMPT}], max_tokens=DECODE_TOKENS):
        pass
    _, first, last, count = model.calls[-1]
    probe = {"prompt": DECODE_PROMPT, "max_tokens": DECODE_TOKENS, "tokens": count,
             "decode_tokens_per_s": round((count - 1) / (last - first), 2) if last > first else None}
    ttft = [r["ttft_ms"] for r in rows if r["ttft_ms"] is not None]
    decode = [r["decode_tokens_per_s"] for r in rows if r["decode_tokens_per_s"] is not None]
    return {"model": settings.llm_model_name, "backend": settings.llm_backend, "load_s": round(load_s, 2),
            "questions_from": str(PUBLIC_QUESTIONS.relative_to(PROJECT_ROOT)) if PUBLIC_QUESTIONS.is_file()
            else "three built-in questions", "runtime": _runtime(settings),
            "token_count": "streamed deltas counted (llama.cpp's server sends one per generated token: "
                           "the count matched its /tokenize of the text when checked)",
            "ttft_ms": summary(ttft) if ttft else None,
            "decode_tokens_per_s_median": round(percentile(decode, 50), 2) if decode else None, "questions": rows,
            "decode_probe": probe}


def bench_questions() -> list[tuple[str, list[dict[str, str]]]]:
    """The public eval questions with their conversation history, else three built-in ones."""
    if not PUBLIC_QUESTIONS.is_file():
        return [(q, []) for q in LLM_QUESTIONS]
    from rag.evaluation.scoring import load_cases

    return [(case.question, case.history) for case in load_cases(PUBLIC_QUESTIONS)]


def _runtime(settings: Settings) -> dict[str, object] | None:
    if settings.llm_backend != "local":
        return None
    from rag.local_model import runtime_kernels

    return runtime_kernels()


# -- cold start of the servers ----------------------------------------------------------------------


def _child_env(settings: Settings) -> dict[str, str]:
    """The settings as RAG_* variables; a user's auth or Chroma server must not leak in."""
    env = {k: v for k, v in os.environ.items() if k not in ("RAG_UI_AUTH", "RAG_API_TOKEN", "RAG_CHROMA_URL")}
    for name, value in settings.model_dump().items():
        if value is not None and isinstance(value, str | int | float | bool | Path):
            env[f"RAG_{name.upper()}"] = str(value)
    return env | {"GRADIO_ANALYTICS_ENABLED": "False", "RAG_CHROMA_URL": ""}


def _tail(log: Path, chars: int = 600) -> str:
    """The end of a command's log, for an error message."""
    return log.read_text(errors="replace")[-chars:].strip() if log.is_file() else "(no log)"


def _wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = _tail(log)
            if "No such command" in tail:
                raise RuntimeError(f"this version of rag has no such command: {tail.strip().splitlines()[-1]}")
            raise RuntimeError(f"the command exited with {process.returncode}: {tail.strip()}")
        try:
            if ready():
                return
        except Exception:  # not listening yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"not ready within {timeout:g} s")


def cold_ask_bench(settings: Settings, workdir: Path, timeout: float = 900.0) -> dict[str, Any]:
    """Seconds from spawning `rag ask --json` (a new interpreter, the model already assembled) to
    its exit with a complete answer: what a user waits for one question from the shell."""
    log = workdir / "startup-ask.log"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rag", "ask", "--json", STARTUP_QUESTION], capture_output=True,
                          env=_child_env(settings), timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    log.write_bytes(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"rag ask exited with {done.returncode}: {done.stderr.decode(errors='replace')[-600:]}")
    answer = json.loads(done.stdout)
    return {"ready_s": None, "first_answer_s": round(seconds, 2), "answer_timings_ms": answer.get("timings_ms"),
            "answer": answer.get("answer"), "question": STARTUP_QUESTION}


def startup_bench(command: str, settings: Settings, workdir: Path, timeout: float = 900.0) -> dict[str, Any]:
    """Seconds from spawning `rag serve` / `rag ui` to listening, and to a complete first answer
    (`rag ask`: to its exit with the answer, see `cold_ask_bench`)."""
    import httpx

    if command == "ask":
        return cold_ask_bench(settings, workdir, timeout)
    port = free_port()
    log = workdir / f"startup-{command}.log"
    start = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "rag", command, "--port", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT, env=_child_env(settings), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if command == "serve":
            _wait_until(lambda: httpx.get(f"{url}/healthz", timeout=2).status_code == 200, process, log, timeout)
            ready_s = time.perf_counter() - start
            response = httpx.post(f"{url}/api/ask", json={"question": STARTUP_QUESTION}, timeout=timeout)
            if response.is_error:  # the run's folder may be deleted: say here what the server said
                raise RuntimeError(f"POST /api/ask answered {response.status_code}: {response.text[:300]}; "
                                   f"its log ends: {_tail(log)}")
            answer = response.json()
        else:
            from gradio_client import Client

            _wait_until(lambda: httpx.get(f"{url}/", timeout=2).status_code == 200, process, log, timeout)
            ready_s = time.perf_counter() - start
            answer = Client(f"{url}/", verbose=False).predict(STARTUP_QUESTION, None, api_name="/ask")
        first_answer_s = time.perf_counter() - start
    finally:
        _stop_group(process)
    return {"ready_s": round(ready_s, 2), "first_answer_s": round(first_answer_s, 2),
            "answer_timings_ms": answer.get("timings_ms"), "answer": answer.get("answer"),
            "question": STARTUP_QUESTION}


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Ask the command's process group to stop, then make sure: nothing it started may outlive it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):  # stragglers in the group, or the command itself
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
