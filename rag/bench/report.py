"""The benchmark page a person reads (Markdown tables + one PNG), made from `results.json` alone,
so the page can be rebuilt from saved figures without measuring again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SERIES = (("ours", "ours (e5 + USE fused)", "C0"), ("baseline", "LlamaIndex baseline (e5)", "C1"),
          ("floor", "floor (e5 embed + raw query)", "C2"), ("server", "ours, Chroma server", "C3"))


def _ms(block: dict[str, Any] | None) -> str:
    return "—" if not block else f"{block['p50']:.1f} / {block['p95']:.1f}"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    return [_row(*head), "|" + " --- |" * len(head), *(_row(*r) for r in rows), ""]


def markdown(results: dict[str, Any], chart_name: str | None) -> str:
    lines = _header(results, chart_name) + _indexing(results) + _incremental(results) + _retrieval(results)
    lines += _served(results) + _llm_section(results.get("llm")) + _startup_section(results.get("startup"))
    return "\n".join(lines + _reproduce(results))


def _header(results: dict[str, Any], chart_name: str | None) -> list[str]:
    machine, settings = results["machine"], results["settings"]
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items() if version)
    lines = ["# Benchmarks", "",
             f"Measured {machine['date']} on {machine['cpu_count']} CPUs"
             f"{' of an ' + machine['cpu'] if machine.get('cpu') else ''} ({machine['platform']}), Python "
             f"{machine['python']}; {packages}. Load average at the start: "
             f"{', '.join(str(x) for x in machine['load_average_at_start'])}.", "",
             f"Settings: embedding {settings['embedding']}, fusion {settings['fusion']}, chunks of "
             f"{settings['chunk_size']} tokens (overlap {settings['chunk_overlap']}), k = {settings['retrieve_k']}. "
             f"Corpus: {results['corpus']} (seed {results['seed']}).", ""]
    if chart_name:
        lines += [f"![Retrieval latency and indexing throughput by corpus size]({chart_name})", ""]
    return lines


def _indexing(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    lines += ["## Indexing", "",
              "Each size is indexed from scratch by a fresh process (`python -m rag.bench _index`), so the peak "
              "memory is that size's own. Chunks/s leaves out loading the two embedding models (its own column). "
              "**Models alone**: the same child then embeds up to 512 of the index's passages again with each model, "
              "in indexing's batch size and nothing else; **share** is indexing's chunks/s over that (1.0: the rest "
              "of the pipeline is free).", ""]
    if any(s["indexing"].get("sittings", 1) > 1 for s in results["sizes"]):
        lines += ["An index built over several sittings (`rag bench --resume` after an interruption) sums their "
                  "chunks and seconds; its peak memory is the largest sitting's. A size whose index a later run found "
                  "complete keeps its indexing figures and their date (retrieval was timed again).", ""]
    lines += _table(["articles", "measured", "words", "chunks", "seconds", "chunks/s", "models alone chunks/s",
                     "share", "model load s", "peak RSS MiB", "RSS after model load MiB", "index on disk MiB"],
                    [[f"{s['articles']:,}", _measured(s, results), f"{s['words']:,}", f"{s['indexing']['chunks']:,}",
                      _num(s["indexing"]["seconds"]), _num(s["indexing"]["chunks_per_s"]),
                      _num((s["indexing"].get("embedding_only") or {}).get("chunks_per_s")),
                      _num(s["indexing"].get("share_of_embedding_only"), 2),
                      _num(s["indexing"]["model_load_s"]), _num(s["indexing"]["peak_rss_mib"], 0),
                      _num(s["indexing"]["peak_rss_after_load_mib"], 0), _num(s["indexing"]["disk_mib"])]
                     for s in results["sizes"]])
    return lines


def _measured(size: dict[str, Any], results: dict[str, Any]) -> str:
    """When a size row was measured (rows kept by `--merge` come from earlier runs), and in how
    many sittings its index was built."""
    when = str(size["indexing"].get("measured") or size.get("measured") or results["machine"]["date"])
    when = when[:16].replace("T", " ")
    sittings = size["indexing"].get("sittings", 1)
    return when if sittings <= 1 else f"{when} ({sittings} sittings)"


def _kept(section: dict[str, Any]) -> list[str]:
    """A note on figures an earlier run measured (kept by `--merge` when this run skipped them)."""
    when = section.get("measured")
    if not when:
        return []
    return [f"*Measured {str(when)[:16].replace('T', ' ')} by an earlier run (this run did not measure it; "
            "kept by `--merge`).*", ""]


def _incremental(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    inc = results.get("incremental")
    if inc:
        lines += ["## Incremental update", "",
                  "One new article written into the folder of the largest corpus, then `index_paths` (what `rag "
                  "index` and `rag index --watch` run) with the models already loaded. It scans the folder and "
                  "lists the index (proportional to the corpus, but cheap) and embeds only the new article.", ""]
        lines += _kept(inc)
        lines += _table(["index (articles)", "added", "chunks embedded", "seconds", "full index seconds",
                         "full index chunks", "time ratio to full", "chunk ratio to full"],
                        [[f"{inc['articles_before']:,}", inc["added"], inc["chunks_embedded"], _num(inc["seconds"], 2),
                          _num(inc["full_index_seconds"]), f"{inc['full_index_chunks']:,}",
                          _num(inc["ratio_to_full"], 4), _num(inc.get("chunk_share"), 4)]])
    return lines


def _retrieval(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    lines += ["## Retrieval latency", "",
              f"Milliseconds per query, p50 / p95 over {results['queries']} questions generated from the articles, "
              "warm (one untimed query first), variants taking turns on each query. **ours**: `Retriever.retrieve` "
              "as the app uses it (e5 and USE query embeddings, both collections queried 20 deep, fused by "
              "reciprocal rank, the fused passages missing from the e5 list fetched by id); "
              "**app**: that plus widening the best passage with its neighbours, as `Assistant` does; **baseline**: "
              "plain LlamaIndex `VectorStoreIndex` over `ChromaVectorStore` (its own collection, the same chunks "
              "and e5 vectors) and `as_retriever(similarity_top_k=k).retrieve`; **floor**: the e5 query embedding "
              "plus a raw `collection.query(query_embeddings=..., n_results=k, include=[\"metadatas\"])`, timed "
              "apart and added. hit@k: share of questions whose "
              "article was among the k results.", ""]
    rows: list[list[object]] = []
    for s in results["sizes"]:
        r = s["retrieval"]
        floor = r["floor"]
        rows.append([f"{s['articles']:,}", _ms(r["ours"]), _ms(r.get("app")), _ms(r.get("baseline")),
                     _num(r.get("ratio_ours_to_baseline_p50"), 2), _ms(floor["total"]),
                     f"{floor['embed']['p50']:.1f} + {floor['query']['p50']:.1f}",
                     f"{r['hit_at_k']['ours']:.2f} / {r['hit_at_k'].get('baseline', float('nan')):.2f}"])
    lines += _table(["articles", "ours", "app (+ widen)", "baseline", "ours / baseline (p50)", "floor",
                     "floor p50: embed + query", "hit@k ours / baseline"], rows)
    return lines


def _served(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    served = [s for s in results["sizes"] if s.get("server")]
    if served:
        lines += ["### Against a Chroma server", "",
                  "The same chunks and vectors copied into a `chroma run` server on 127.0.0.1 (ingestion timed on "
                  "its own: no embedding), then the same questions over HTTP.", ""]
        lines += _table(["articles", "ours", "floor", "floor p50: embed + query", "ours / embedded ours (p50)",
                         "server ingestion s", "chunks/s ingested"],
                        [[f"{s['articles']:,}", _ms(s["server"]["retrieval"]["ours"]),
                          _ms(s["server"]["retrieval"]["floor"]["total"]),
                          f"{s['server']['retrieval']['floor']['embed']['p50']:.1f} + "
                          f"{s['server']['retrieval']['floor']['query']['p50']:.1f}",
                          _num(s["server"]["retrieval"]["ours"]["p50"] / s["retrieval"]["ours"]["p50"], 2),
                          _num(s["server"]["load_s"], 2), _num(s["server"]["chunks_per_s"], 0)] for s in served])
    return lines


def _reproduce(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    lines += ["## Reproduce", "", "```sh", "rag bench                       # 5 and 1,000 articles, LLM, servers",
              "rag bench --sizes 5,1000,10000  # adds 10,000 articles (opt-in: long)",
              "# over several sittings: keep the indexes, carry on after a stop, keep the other sizes' rows",
              "rag bench --sizes 10000 --workdir /var/tmp/rag-bench --resume --merge", "```", "",
              *_estimate(results["sizes"]),
              "The run writes `benchmarks/results.json` (every figure, the machine and package versions) and "
              "this page with its chart; the same seed gives byte-identical articles. The figures are wall-clock "
              "times on a machine that may be shared: compare runs by their ratios rather than by absolute "
              "milliseconds.", "",
              "Which llama.cpp build runs the bundled model, and how the candidates compared (prebuilt wheel, "
              "built for this CPU, other packages, weight formats): [llm-runtime.md](llm-runtime.md).", ""]
    return lines


def _estimate(sizes: list[dict[str, Any]]) -> list[str]:
    """What indexing 1,000 and 10,000 articles costs at the speed this run measured (largest size)."""
    largest = sizes[-1]["indexing"]
    if not largest["chunks_per_s"]:
        return []
    per_article = largest["chunks"] / largest["articles"]
    speed = largest["chunks_per_s"]
    guesses = [f"{n:,} articles ≈ {n * per_article:,.0f} chunks ≈ {n * per_article / speed / 60:,.0f} min"
               for n in (1000, 10_000)]
    return [f"At this run's indexing speed ({largest['chunks_per_s']:.1f} chunks/s, {per_article:.1f} chunks per "
            f"article): {'; '.join(guesses)} of embedding, before the retrieval timings.", ""]


def _llm_section(llm: dict[str, Any] | None) -> list[str]:
    if not llm:
        return []
    if "error" in llm:
        return ["## Embedded LLM", "", f"Not measured: {llm['error']}", ""]
    lines = ["## Embedded LLM", "",
             f"{llm['model']} ({llm['backend']}), loaded in {llm['load_s']:.1f} s; `Assistant.ask` over the bundled "
             "5 articles, one question after another. Time to first token is the reader's wait from the question "
             "to the first visible text (retrieval and prompt processing included). Tokens: "
             f"{llm['token_count']}; decode speed runs from the first to the last token, end-to-end tokens/s from "
             "sending the request (so it includes prompt processing).", "", *_kept(llm)]
    ttft = llm.get("ttft_ms")
    if ttft:
        runtime = llm.get("runtime") or {}
        kernels = ", ".join(runtime.get("kernels", [])) if runtime else ""
        lines += [f"**Time to first token over {len(llm['questions'])} questions "
                  f"({llm.get('questions_from', 'built-in')}): p50 {ttft['p50'] / 1000:.2f} s, "
                  f"p95 {ttft['p95'] / 1000:.2f} s.**"
                  + (f" Runtime: {runtime.get('runtime')} ({kernels})." if runtime else ""), ""]
    lines += _table(["question", "TTFT s", "total s", "tokens", "decode tok/s", "end-to-end tok/s", "LLM calls"],
                    [[q["question"], _num((q["ttft_ms"] or 0) / 1000, 2), _num((q["total_ms"] or 0) / 1000, 2),
                      q["tokens"], _num(q["decode_tokens_per_s"]), _num(q["tokens_per_s"]),
                      f"{q['llm_calls']}" + (" (translated)" if q["translated"] else "")] for q in llm["questions"]])
    probe = llm.get("decode_probe")
    if probe:
        lines += [f"Decode speed on a longer generation ({probe['tokens']} tokens, \"{probe['prompt']}\"): "
                  f"{_num(probe['decode_tokens_per_s'])} tokens/s.", ""]
    return lines


def _startup_section(startup: dict[str, Any] | None) -> list[str]:
    if not startup:
        return []
    lines = ["## Cold start to the first answer", "",
             "Wall time from spawning the command (a new interpreter, bundled index already built) until it "
             "listens (`rag serve`: `GET /healthz` is 200; `rag ui`: the page loads), and until the first "
             "complete answer (`POST /api/ask`; Gradio's `/ask` API through `gradio_client`; `rag ask --json`: "
             "until it exits with the answer). The model is already assembled (the very first run on a machine "
             "assembles it once).", "", *_kept(startup)]
    rows: list[list[object]] = []
    for command, got in startup.items():
        if not isinstance(got, dict):  # the "measured" stamp of kept figures
            continue
        if "error" in got:
            rows.append([f"rag {command}", "—", "—", f"not measured: {got['error']}"])
        else:
            timings = got.get("answer_timings_ms") or {}
            rows.append([f"rag {command}", _num(got["ready_s"], 2) if got["ready_s"] is not None else "—",
                         _num(got["first_answer_s"], 2),
                         ", ".join(f"{k} {v / 1000:.1f} s" for k, v in timings.items())])
    return lines + _table(["command", "listening s", "first answer s", "the answer's own timings"], rows)


def chart(results: dict[str, Any], path: Path) -> None:
    """Left: retrieval p50 (solid) and p95 (dashed) by corpus size; right: indexing chunks/s and peak RSS."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    sizes = results["sizes"]
    xs = [s["articles"] for s in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5.2), dpi=110)
    for key, label, color in SERIES:
        blocks = [_series_block(s, key) for s in sizes]
        if any(b is None for b in blocks):
            continue
        left.plot(xs, [b["p50"] for b in blocks if b], "o-", color=color, label=f"{label} p50")
        left.plot(xs, [b["p95"] for b in blocks if b], "--", color=color, alpha=0.6, label=f"{label} p95")
    left.set(xscale="log", yscale="log", xlabel="articles in the index", ylabel="ms per query (log)",
             title="Retrieval latency, warm")
    plain = ticker.FuncFormatter(lambda value, _pos: f"{value:g}")
    left.yaxis.set_major_formatter(plain)
    left.yaxis.set_minor_formatter(plain)
    left.grid(alpha=0.3, which="both")
    left.legend(fontsize=7, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    right.plot(xs, [s["indexing"]["chunks_per_s"] or 0 for s in sizes], "o-", color="C0", label="chunks/s")
    right.set(xscale="log", xlabel="articles indexed", ylabel="chunks embedded per second", title="Indexing")
    for ax in (left, right):
        ax.set_xticks(xs, [f"{x:,}" for x in xs])
        ax.set_xticks([], minor=True)
        ax.set_xlim(min(xs) / 1.5, max(xs) * 1.5)
    right.set_ylim(bottom=0)
    right.grid(alpha=0.3)
    memory = right.twinx()
    memory.plot(xs, [s["indexing"]["peak_rss_mib"] for s in sizes], "s--", color="C3", label="peak RSS")
    memory.set_ylabel("peak RSS (MiB)")
    memory.set_ylim(bottom=0)
    handles = right.get_legend_handles_labels()
    extra = memory.get_legend_handles_labels()
    right.legend(handles[0] + extra[0], handles[1] + extra[1], fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _series_block(size: dict[str, Any], key: str) -> dict[str, Any] | None:
    retrieval = size["retrieval"]
    if key == "floor":
        return dict(retrieval["floor"]["total"])
    if key == "server":
        return dict(size["server"]["retrieval"]["ours"]) if size.get("server") else None
    block = retrieval.get(key)
    return dict(block) if block else None


def write_markdown(results: dict[str, Any], path: Path) -> Path:
    """Write `path` and its chart beside it (same name, .png); return the chart's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    png = path.with_suffix(".png")
    chart(results, png)
    path.write_text(markdown(results, png.name) + "\n", encoding="utf-8")
    return png
