"""The benchmark: seeded article generation, percentiles, and a tiny end-to-end run (no LLM; a real
Chroma server for the client/server figures); one `rag serve` started as a command, over a stub LLM,
for how a failed cold-start answer is reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.bench.run import run_bench
from rag.bench.synthetic import generate_article, generate_corpus, make_queries, write_corpus
from rag.bench.timing import summary
from rag.documents import scan
from rag.embeddings import E5Embedding, USEEmbedding
from rag.evaluation.stats import percentile
from tests.fixtures.openai_stub import OpenAIStub
from tests.fixtures.settings import make_settings


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", generate_corpus(7, 12))
    write_corpus(tmp_path / "b", generate_corpus(7, 12))
    files_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files_a == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(files_a) == 13  # 12 articles and the manifest
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_different_seed_gives_different_articles() -> None:
    assert [a.text for a in generate_corpus(1, 5)] != [a.text for a in generate_corpus(2, 5)]
    assert len({a.text for a in generate_corpus(1, 20)}) == 20


def test_a_smaller_corpus_is_a_prefix_of_a_larger_one() -> None:
    assert generate_corpus(3, 4) == generate_corpus(3, 10)[:4]
    assert generate_article(3, 10) == generate_corpus(3, 11)[10]


def test_articles_look_like_news_and_read_back_with_their_manifest(tmp_path: Path) -> None:
    articles = generate_corpus(20261123, 40)
    for article in articles:
        words = len(article.text.split())
        assert 300 <= words <= 700, (article.filename, words)
        headline, lead = article.text.split("\n\n")[:2]
        assert headline == article.meta["title"]
        assert "(" in lead.split("—")[0] and article.meta["outlet"] in lead  # dateline: "CITY, Month day (Outlet) —"
        assert len(article.text.split("\n\n")) >= 6
    write_corpus(tmp_path, articles)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {a.filename for a in articles}
    assert set(manifest[articles[0].filename]) == {"title", "outlet", "language", "published"}
    found = scan([tmp_path])
    assert not found.skipped
    assert {a.title for a in found.articles} == {a.meta["title"] for a in articles}


def test_queries_are_deterministic_and_spread_over_the_corpus() -> None:
    articles = generate_corpus(5, 50)
    queries = make_queries(articles, 10)
    assert queries == make_queries(generate_corpus(5, 50), 10)
    assert len({source for _, source in queries}) == 10
    assert len(make_queries(articles[:5], 30)) == 30


def test_percentile_interpolates_like_numpy() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 5.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile([7.0], 95) == 7.0
    assert summary([1.0, 2.0, 3.0, 4.0]) == {"p50": 2.5, "p95": 3.85, "mean": 2.5, "n": 4}
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_tiny_run_writes_every_figure(tmp_path: Path, e5: E5Embedding, use: USEEmbedding) -> None:
    messages: list[str] = []
    results_path, markdown_path = tmp_path / "out" / "results.json", tmp_path / "docs" / "benchmarks.md"
    returned = run_bench(make_settings(tmp_path), sizes=(5, 20), workdir=tmp_path / "work",
                         results_path=results_path, markdown_path=markdown_path, include_llm=False,
                         include_server=True, include_startup=False, queries=5, progress=messages.append,
                         embedder=e5, aux_embedder=use)
    results = json.loads(results_path.read_text(encoding="utf-8"))
    assert results == json.loads(json.dumps(returned))
    assert {"machine", "settings", "sizes", "incremental", "llm", "startup", "seed", "queries"} <= set(results)
    assert results["machine"]["cpu_count"] >= 1 and results["machine"]["packages"]["chromadb"]
    assert results["machine"]["cpu"] not in ("", "unknown")  # hosts differ: the page names the processor
    assert f"CPUs of an {results['machine']['cpu']} (" in markdown_path.read_text(encoding="utf-8")
    assert [s["articles"] for s in results["sizes"]] == [5, 20]
    for size in results["sizes"]:
        indexing = size["indexing"]
        assert indexing["articles"] == size["articles"] and indexing["chunks"] > size["articles"]
        assert indexing["chunks_per_s"] > 0 and indexing["peak_rss_mib"] > 50
        alone = indexing["embedding_only"]  # the models by themselves, on this index's passages
        assert 0 < alone["passages"] <= indexing["chunks"] and set(alone["seconds"]) == {"e5", "aux"}
        assert alone["chunks_per_s"] > 0 and 0 < indexing["share_of_embedding_only"] < 5
        retrieval = size["retrieval"]
        for name in ("ours", "app", "baseline"):
            assert 0 < retrieval[name]["p50"] <= retrieval[name]["p95"] and retrieval[name]["n"] == 5
        assert retrieval["floor"]["total"]["p50"] > 0 and retrieval["floor"]["query"]["p50"] > 0
        assert retrieval["ratio_ours_to_baseline_p50"] > 0
        assert retrieval["hit_at_k"]["ours"] >= 0.8  # the questions are answerable: retrieval must find them
        assert size["server"]["retrieval"]["ours"]["p50"] > 0 and size["server"]["load_s"] > 0
    incremental = results["incremental"]
    assert incremental["articles_before"] == 20 and incremental["added"] == 1
    largest = results["sizes"][-1]["indexing"]["chunks"]
    assert 0 < incremental["chunks_embedded"] <= largest / 5  # one article's chunks, not the corpus's
    assert incremental["chunks_total"] == largest + incremental["chunks_embedded"]
    assert incremental["ratio_to_full"] is not None and incremental["ratio_to_full"] < 1
    assert results["llm"] is None and results["startup"] is None
    page = markdown_path.read_text(encoding="utf-8")
    assert "## Indexing" in page and "## Retrieval latency" in page and "rag bench --sizes 5,1000,10000" in page
    assert "models alone chunks/s" in page and "llm-runtime.md" in page
    assert markdown_path.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert messages and not (tmp_path / "index").exists()  # never the configured index


def test_the_llm_is_timed_over_the_public_questions_with_their_history() -> None:
    from rag.bench.llm import PUBLIC_QUESTIONS, bench_questions

    asked = bench_questions()
    lines = [line for line in PUBLIC_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(asked) == len(lines) >= 20  # every public question, not three
    assert any(history for _, history in asked)  # the follow-ups keep their conversation
    assert all(question.strip() for question, _ in asked)


def test_an_interrupted_index_is_carried_on_and_saved_rows_of_other_sizes_kept(
        tmp_path: Path, e5: E5Embedding, use: USEEmbedding) -> None:
    from rag.bench.run import ledger_path
    from rag.store import IndexStore

    results_path, markdown_path = tmp_path / "results.json", tmp_path / "benchmarks.md"
    common = {"workdir": tmp_path / "work", "results_path": results_path, "markdown_path": markdown_path,
              "include_llm": False, "include_server": False, "include_startup": False, "queries": 2,
              "embedder": e5, "aux_embedder": use}
    first = run_bench(make_settings(tmp_path), sizes=(3, 6), **common)  # type: ignore[arg-type]
    full = first["sizes"][1]["indexing"]
    here = make_settings(tmp_path).model_copy(update={"index_dir": tmp_path / "work" / "n6" / "index"})
    store = IndexStore.open(here)
    victim = sorted(store.documents())[0]
    lost = len(store.collection.get(where={"doc_id": victim})["ids"])
    store.delete_document(victim)  # as if the sitting had been killed before this article
    from rag.store import forget_embedded_clients

    forget_embedded_clients()  # a resumed run is a new process: no client cached for this path
    assert ledger_path(here.index_dir).exists()

    second = run_bench(make_settings(tmp_path), sizes=(6,), resume=True, merge=True, **common)  # type: ignore[arg-type]
    again = second["sizes"][-1]["indexing"]
    assert again["sittings"] == 2 and again["articles"] == 6  # the added article of the last run is gone again
    assert again["chunks"] == full["chunks"] + lost  # only the missing article was embedded this time
    assert again["seconds"] > full["seconds"]
    saved = json.loads(results_path.read_text(encoding="utf-8"))
    assert [s["articles"] for s in saved["sizes"]] == [3, 6]  # the size not measured now is kept ...
    assert saved["sizes"][0]["measured"] == first["sizes"][0]["measured"]  # ... with when it was measured
    assert "(2 sittings)" in markdown_path.read_text(encoding="utf-8")
    third = run_bench(make_settings(tmp_path), sizes=(6,), resume=True, merge=True, **common)  # type: ignore[arg-type]
    checked = third["sizes"][-1]["indexing"]  # a complete index found complete: a check, not a sitting
    assert checked["sittings"] == 2 and checked["chunks"] == again["chunks"]
    assert checked["peak_rss_mib"] >= max(full["peak_rss_mib"], again["peak_rss_mib"])  # the largest sitting's


def test_the_cold_start_table_shows_rag_ask_beside_the_servers() -> None:
    from rag.bench.report import _startup_section

    timings = {"retrieve": 40.0, "first_token": 6100.0, "total": 9000.0}
    lines = _startup_section({
        "ask": {"ready_s": None, "first_answer_s": 14.2, "answer_timings_ms": timings},
        "serve": {"ready_s": 8.5, "first_answer_s": 21.4, "answer_timings_ms": timings},
        "ui": {"error": "RuntimeError: not ready within 900 s"}})
    rows = {line.split(" | ")[0].strip("| "): line for line in lines if line.startswith("| rag ")}
    assert rows["rag ask"].startswith("| rag ask | — | 14.20 |") and "first_token 6.1 s" in rows["rag ask"]
    assert rows["rag serve"].startswith("| rag serve | 8.50 | 21.40 |")
    assert "not measured: RuntimeError" in rows["rag ui"]


def test_a_stopped_bench_leaves_no_process_behind_and_can_be_resumed(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from rag.bench.run import read_ledger

    work = tmp_path / "work"
    env = os.environ | {"RAG_INDEX_DIR": str(tmp_path / "index")}
    command = [sys.executable, "-m", "rag", "bench", "--sizes", "400", "--workdir", str(work), "--no-llm",
               "--no-startup", "--results", str(tmp_path / "r.json"), "--markdown", str(tmp_path / "b.md")]
    bench = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    assert bench.stderr is not None
    for line in bench.stderr:  # wait until the indexing child has embedded something
        if re.search(r"embedded [1-9]", line):
            break
    bench.send_signal(signal.SIGTERM)
    assert bench.wait(timeout=60) != 0
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", str(work)], capture_output=True, text=True).stdout.split()
    assert left == []  # neither the Chroma server nor the indexing child outlived the run
    assert not (tmp_path / "r.json").exists()  # no figures from a run that did not finish
    assert (work / "n400" / "articles").is_dir() and (work / "n400" / "index").is_dir()  # kept for --resume
    assert read_ledger(work / "n400" / "index")["sittings"] == 1


def test_a_retrieval_only_rerun_keeps_the_saved_llm_and_startup_figures_with_their_date(tmp_path: Path) -> None:
    from rag.bench.report import _startup_section
    from rag.bench.run import kept_sections, saved_results

    saved = {"machine": {"date": "2026-12-01T10:00:00+00:00"},
             "llm": {"ttft_ms": {"p50": 8000.0}}, "startup": {"ask": {"ready_s": None, "first_answer_s": 23.0}},
             "incremental": {"seconds": 45.0, "measured": "2026-11-30T09:00:00+00:00"}}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(saved), encoding="utf-8")
    kept = kept_sections({"llm": None, "startup": None, "incremental": {"seconds": 2.0}}, saved_results(path))
    assert set(kept) == {"llm", "startup"}  # what this run measured is not replaced
    assert kept["llm"]["measured"] == "2026-12-01T10:00:00+00:00" and kept["llm"]["ttft_ms"]["p50"] == 8000.0
    assert kept_sections({"llm": None}, saved_results(tmp_path / "absent.json")) == {}
    smaller = kept_sections({"llm": {"ttft_ms": {}}, "startup": {}, "incremental": {"articles_before": 1000}},
                            saved_results(path))
    assert set(smaller) == {"startup"}  # this run measured the update at the larger index
    saved["incremental"]["articles_before"] = 10000
    path.write_text(json.dumps(saved), encoding="utf-8")
    larger = kept_sections({"llm": {"ttft_ms": {}}, "startup": {}, "incremental": {"articles_before": 1000}},
                           saved_results(path))
    assert larger["incremental"]["articles_before"] == 10000
    assert larger["incremental"]["measured"] == "2026-11-30T09:00:00+00:00"
    lines = _startup_section(kept["startup"])
    assert any("Measured 2026-12-01 10:00 by an earlier run" in line for line in lines)
    assert sum(line.startswith("| rag ") for line in lines) == 1  # the date stamp is not a command row


def test_merge_without_the_saved_file_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        run_bench(make_settings(tmp_path), sizes=(3,), results_path=tmp_path / "nowhere.json", merge=True)


def test_a_server_that_fails_its_first_answer_is_reported_with_what_it_said(
        tmp_path: Path, bundled_index: Path, stub: OpenAIStub) -> None:
    """The cold-start figure of `rag serve` fails with the API's status and body and the end of the
    server's log, not a bare status line: the bench deletes its folder, logs and all."""
    from rag.bench.llm import startup_bench

    stub.behaviour.status = 500  # the LLM behind the served app fails every call
    settings = make_settings(tmp_path, index_dir=bundled_index, llm="openai", openai_base_url=stub.base_url,
                             llm_model="stub-model")
    with pytest.raises(RuntimeError, match=r"POST /api/ask answered 5\d\d: .*LLM.*; its log ends: ") as failure:
        startup_bench("serve", settings, tmp_path, timeout=120)
    assert "API on http://127.0.0.1:" in str(failure.value)  # the server's own log lines
