"""Eight concurrent askers against one process, for a bounded time: every answer complete and
attributed to the question that asked it. Through the Python API and through the chat page's
queue (gradio_client), with a real streaming stub LLM on 127.0.0.1."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rag.assistant import Assistant
from rag.bench.chroma_server import free_port
from tests.fixtures.assistants import openai_assistant
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply

# question -> (a word the answer must contain, the article it must cite)
ASKS = {
    "How much money did Trudeau announce for military equipment?": ("500 million", "004_ca42ec8f4e875d75.txt"),
    "What memorial did Melanie Joly visit in Kyiv?": ("Wall of Remembrance", "002_c5412f6f5895c1b2.txt"),
    "How many individuals and entities did Canada's second round of sanctions target?": (
        "58", "001_79aa4f23a039ae56.txt"),
    "Where did Joly chat with Sergei Lavrov?": ("Stockholm", "003_7c54699dea69932d.txt"),
    "Which Ukrainian minister held a joint press conference with Joly in Kyiv?": (
        "Kuleba", "002_c5412f6f5895c1b2.txt"),
    "How many Ukrainian soldiers are honoured by the Wall of Remembrance?": ("4,500", "002_c5412f6f5895c1b2.txt"),
    "Who was the spokeswoman Maeva Proteau speaking for?": ("Proteau", "003_7c54699dea69932d.txt"),
    # (the stub quotes the best-overlapping source line; "since 2014" keeps the 2023 strike report out of it)
    "How many people have been killed in the conflict in eastern Ukraine since 2014?": ("14,000",
                                                                                      "002_c5412f6f5895c1b2.txt"),
}
SECONDS = 12.0


def check(question: str, answer: dict[str, Any]) -> None:
    needle, source = ASKS[question]
    assert answer["question"] == question, "answer attributed to another asker's question"
    assert not answer["abstained"] and needle in answer["answer"], (question, answer["answer"])
    assert answer["answer"].rstrip().endswith((".", "]")), "truncated answer"
    assert source in [c["source"] for c in answer["citations"]], (question, answer["citations"])


def hammer(ask_one: Any) -> int:
    """Eight threads, each asking its own question over and over until the time is up."""
    deadline = time.monotonic() + SECONDS

    def worker(question: str) -> int:
        done = 0
        while time.monotonic() < deadline and done < 20:
            check(question, ask_one(question))
            done += 1
        return done

    with ThreadPoolExecutor(len(ASKS)) as pool:
        counts = list(pool.map(worker, ASKS))
    assert all(c >= 1 for c in counts)
    return sum(counts)


def test_python_api_under_eight_concurrent_askers(tmp_path: Path, bundled_index: Path, e5: Any, use: Any) -> None:
    with OpenAIStub(StubBehaviour(reply=extractive_reply, chunk_delay=0.005)) as stub:
        bot = openai_assistant(tmp_path, bundled_index, stub)
        bot._embedder, bot._aux_embedder = e5, use

        def ask(question: str) -> dict[str, Any]:
            stream = bot.stream(question)
            text = "".join(stream)
            assert stream.answer is not None and text.strip() == stream.answer.text  # the stream is the answer
            return stream.answer.to_dict()

        assert hammer(ask) >= len(ASKS)


def test_chat_page_backend_under_eight_concurrent_askers(tmp_path: Path, bundled_index: Path) -> None:
    from gradio_client import Client

    from ui.app import build_app

    with OpenAIStub(StubBehaviour(reply=extractive_reply, chunk_delay=0.005)) as stub:
        bot: Assistant = openai_assistant(tmp_path, bundled_index, stub)
        demo = build_app(bot.settings, bot)
        port = free_port()
        demo.queue(default_concurrency_limit=8).launch(server_name="127.0.0.1", server_port=port,
                                                       prevent_thread_lock=True, quiet=True)
        try:
            clients = {q: Client(f"http://127.0.0.1:{port}/", verbose=False) for q in ASKS}
            assert hammer(lambda q: clients[q].predict(q, None, api_name="/ask")) >= len(ASKS)
        finally:
            demo.close()
