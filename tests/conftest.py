"""Shared fixtures: isolated settings, a real Chroma index in a temp dir, the OpenAI stub server."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.bench.chroma_server import ChromaServer
from rag.embeddings import E5Embedding, USEEmbedding
from rag.indexing import index_paths
from rag.settings import Settings
from tests.openai_stub import OpenAIStub

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "articles"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's RAG_*/OPENAI_* variables or a stray rag.toml."""
    for name in list(os.environ):
        if name.startswith(("RAG_", "OPENAI_")):
            monkeypatch.delenv(name)
    # Index-time translation needs an LLM; the tests that exercise it (and the indexes the answer
    # and retrieval floors run on) turn it on explicitly.
    monkeypatch.setenv("RAG_TRANSLATE_ARTICLES", "false")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def e5() -> E5Embedding:
    return E5Embedding()


@pytest.fixture(scope="session")
def use() -> USEEmbedding:
    return USEEmbedding()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(BUNDLED, target)
    return target


def make_settings(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"index_dir": tmp / "index", "articles_dir": BUNDLED,
                                 "model_cache_dir": Path.home() / ".cache" / "rag"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedding, use: USEEmbedding) -> Path:
    """The bundled articles indexed once per session into a real embedded Chroma store, the
    Indonesian one translated by the bundled LLM as `rag index` does (cached after the first run)."""
    index_dir = tmp_path_factory.mktemp("bundled") / "index"
    index_paths(Settings(index_dir=index_dir, articles_dir=BUNDLED, translate_articles=True), embedder=e5,
                aux_embedder=use)
    return index_dir


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real `chroma run` on 127.0.0.1 for the whole session (client/server mode)."""
    with ChromaServer(tmp_path_factory.mktemp("chroma-server") / "data") as server:
        yield server


@pytest.fixture(params=["embedded", "chroma-server"])
def either_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test against the embedded store and again against a Chroma server.

    The server run sets RAG_CHROMA_URL and a collection of its own, so every Settings the test
    builds (with `make_settings`) talks to the server; nothing else in the test changes.
    """
    if request.param == "chroma-server":
        server: ChromaServer = request.getfixturevalue("chroma_server")
        monkeypatch.setenv("RAG_CHROMA_URL", server.url)
        monkeypatch.setenv("RAG_COLLECTION", f"t{uuid.uuid4().hex[:12]}")
    return str(request.param)
