"""End to end against Chroma in client/server mode: a real `chroma run` on 127.0.0.1.

`RAG_CHROMA_URL` is the only thing that changes; the CLI, the Assistant and the API work as with
the embedded store. (The store and lifecycle tests also run against the server: `either_store`.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from rag.assistant import Assistant
from rag.bench.chroma_server import ChromaServer, free_port
from rag.indexing import index_paths
from rag.store import StoreError
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply
from tests.fixtures.settings import BUNDLED, make_settings

TRUDEAU = "How much money did Trudeau announce for military equipment?"
TRUDEAU_SOURCE = "004_ca42ec8f4e875d75.txt"


def rag(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rag", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **env})


def test_assistant_answers_from_a_chroma_server(tmp_path: Path, chroma_server: ChromaServer, e5: Any,
                                                use: Any) -> None:
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        settings = make_settings(tmp_path, chroma_url=chroma_server.url, collection=f"t{uuid.uuid4().hex[:10]}",
                                 llm="openai", openai_base_url=stub.base_url, openai_api_key="sk-test")
        report = index_paths(settings, embedder=e5, aux_embedder=use)
        assert report.articles_total == 5 and report.chunks_embedded > 5
        assert not (tmp_path / "index").exists(), "server mode writes nothing locally"
        bot = Assistant(settings, embedder=e5)
        bot._aux_embedder = use
        answer = bot.ask(TRUDEAU)
        assert "500 million" in answer.text and answer.citations[0].passage.source == TRUDEAU_SOURCE


def test_cli_status_against_a_server(tmp_path: Path, chroma_server: ChromaServer, e5: Any, use: Any) -> None:
    env = {"RAG_CHROMA_URL": chroma_server.url, "RAG_COLLECTION": f"t{uuid.uuid4().hex[:10]}",
           "RAG_ARTICLES_DIR": str(BUNDLED)}
    missing = rag("status", env=env)
    assert missing.returncode == 1 and "rag index" in missing.stderr
    settings = make_settings(tmp_path, chroma_url=env["RAG_CHROMA_URL"], collection=env["RAG_COLLECTION"])
    index_paths(settings, embedder=e5, aux_embedder=use)
    status = json.loads(rag("status", "--json", env=env).stdout)
    assert status["articles"] == 5 and status["index"] == chroma_server.url and status["size_on_disk_mb"] is None


def test_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="cannot reach the Chroma server"):
        index_paths(settings)


def test_server_keeps_the_index_across_restarts(tmp_path: Path, e5: Any, use: Any) -> None:
    with ChromaServer(tmp_path / "chroma") as server:
        settings = make_settings(tmp_path, chroma_url=server.url)
        index_paths(settings, embedder=e5, aux_embedder=use)
        port = server.port
    with ChromaServer(tmp_path / "chroma", port=port):
        again = index_paths(settings, embedder=e5, aux_embedder=use)
    assert again.chunks_embedded == 0 and len(again.unchanged) == 5


@pytest.mark.slow
def test_rag_ask_with_the_bundled_model_over_a_chroma_server(chroma_server: ChromaServer) -> None:
    env = {"RAG_CHROMA_URL": chroma_server.url, "RAG_COLLECTION": f"t{uuid.uuid4().hex[:10]}",
           "RAG_ARTICLES_DIR": str(BUNDLED)}
    indexed = rag("index", "--json", env=env)
    assert indexed.returncode == 0, indexed.stderr
    asked = rag("ask", "--json", TRUDEAU, env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "500 million" in answer["answer"]
    assert TRUDEAU_SOURCE in [c["source"] for c in answer["citations"]]
