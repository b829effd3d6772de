"""The `rag` command. Every command reads one `Settings` and reports failures in one line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rag.errors import RagError
from rag.schema import Answer, IndexReport
from rag.settings import Settings

app = typer.Typer(
    help="Ask questions about news articles; every answer cites the passages it comes from.\n\n"
    "Settings come from RAG_* environment variables or a rag.toml file (see `rag config`).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def options(
    log_level: Annotated[str, typer.Option("--log-level", help="What the log shows on stderr: debug, info, "
                                           "warning or error", case_sensitive=False)] = "warning",
    log_json: Annotated[bool, typer.Option("--log-json", help="Log as JSON lines (for log collectors)")] = False,
) -> None:
    """Options for every command, given before it: `rag --log-level info serve`."""
    from rag.logs import LEVELS, setup

    if log_level.lower() not in LEVELS:
        raise fail(f"--log-level must be one of {', '.join(LEVELS)}", 2)
    setup(log_level, log_json)
out = Console()
err = Console(stderr=True)

USER_ERRORS = (RagError,)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "settings"
            raise fail(f"invalid setting {where}: {first['msg']}", 2) from exc
        raise fail(str(exc), 2) from exc


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn the errors a user can act on into one line and a non-zero exit, not a traceback."""
    try:
        yield
    except USER_ERRORS as exc:
        raise fail(str(exc)) from exc
    except KeyboardInterrupt as exc:
        raise fail("interrupted", 130) from exc


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal and not os.environ.get("RAG_PROGRESS"))


def show_report(report: IndexReport, index_language: str, as_json: bool) -> None:
    """What an indexing run did: a summary line (or JSON) on stdout, skipped files and notes on stderr."""
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
    else:
        out.print(
            f"[green]indexed[/] {report.articles_total} articles, {report.chunks_total} passages "
            f"in {report.seconds} s: "
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
            f"{len(report.unchanged)} unchanged" + ("" if report.changed else " (nothing to embed)"),
            highlight=False,
        )
        if report.translated:
            out.print(f"[green]translated[/] {len(report.translated)} articles ({report.chunks_translated} "
                      f"passages) into {index_language} in {report.translation_seconds} s",
                      highlight=False)
        for dup in report.duplicates:
            out.print(f"[yellow]duplicate:[/] {dup['doc_id']} has the same text as {dup['same_as']}; "
                      "indexed once", highlight=False)
    for skipped in report.skipped:
        err.print(f"[yellow]skipped:[/] {skipped['path']}: {skipped['reason']}", highlight=False)
    for note in report.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False)


@app.command()
def index(
    paths: Annotated[list[Path] | None, typer.Argument(help="Folders or files of .txt/.md/.html articles "
                                                        "(default: RAG_ARTICLES_DIR, the bundled sample)")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build a fresh index beside the live one and switch to "
                                          "it when complete (after changing the embedding or chunking)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    watch: Annotated[bool, typer.Option("--watch", help="Stay running and keep the index in step with the "
                                        "folders (new, changed, deleted files); Ctrl-C to stop")] = False,
) -> None:
    """Index articles: embed new or changed ones, drop deleted ones, leave the rest untouched.

    Incremental and idempotent (by content hash); safe to kill at any moment; one run at a time."""
    from rag.indexing import index_paths, watch_folders

    settings = load_settings()
    folders = paths or [settings.articles_dir]

    def waiting() -> None:
        err.print("[yellow]another `rag index` run is changing this index; waiting for it to finish…[/]",
                  highlight=False)

    def show(report: IndexReport) -> None:
        show_report(report, settings.index_language, as_json)

    with friendly_errors():
        if watch:
            if rebuild:
                raise fail("--watch keeps an index in step; run --rebuild on its own first", 2)
            err.print(f"watching {', '.join(str(f) for f in folders)} (Ctrl-C to stop)", highlight=False)
            try:
                watch_folders(settings, folders, show)
            except KeyboardInterrupt:
                return
            return
        with _progress() as bar:
            task = bar.add_task("Embedding passages", total=None)
            translating = bar.add_task("Translating passages", total=None, visible=False)
            report = index_paths(settings, folders, rebuild=rebuild, on_wait=waiting,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total),
                                 translating=lambda done, total: bar.update(translating, completed=done,
                                                                            total=total, visible=True))
    show(report)
    if not report.articles_total and report.skipped:
        raise typer.Exit(1)  # nothing could be indexed: say so with the exit code too


def _print_answer(answer: Answer, *, show_sources: bool = True) -> None:
    if not show_sources:
        return
    if answer.citations:
        out.print()
        for c in answer.citations:
            p = c.passage
            meta = ", ".join(x for x in (p.outlet, p.published) if x)
            out.print(f"[bold][{c.n}][/] {p.source} — {p.title} ({meta})", highlight=False)
    elif answer.abstained and answer.retrieved:
        closest = ", ".join(dict.fromkeys(p.source for p in answer.retrieved[:3]))
        out.print(f"\n[dim]Closest passages: {closest}[/]", highlight=False)


def _stream_answer(bot: Any, question: str, history: list[dict[str, str]] | None) -> Answer:
    """Print tokens as they come, then replace the draft if citation checking changed it."""
    stream = bot.stream(question, history=history)
    shown = []
    for token in stream:
        shown.append(token)
        out.print(token, end="", highlight=False, markup=False, soft_wrap=True)
    answer: Answer = stream.answer
    if "".join(shown).strip() != answer.text:
        if shown:
            out.print("\n[dim]checked answer:[/]")
        out.print(answer.text, highlight=False, markup=False, soft_wrap=True)
    else:
        out.print()
    return answer


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in any language")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer, citations and timings as JSON")] = False,
) -> None:
    """Answer one question from the indexed articles, streaming the answer and listing its sources."""
    from rag.assistant import Assistant

    bot = Assistant(load_settings())
    with friendly_errors():
        if as_json:
            answer = bot.ask(question)
            out.print_json(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            _print_answer(_stream_answer(bot, question, None))


@app.command()
def chat() -> None:
    """Chat in the terminal; follow-up questions use the conversation. Ctrl-D or 'exit' to leave."""
    from rag.assistant import Assistant

    bot = Assistant(load_settings())
    history: list[dict[str, str]] = []
    out.print("[bold]Ask about the articles.[/] Ctrl-D or 'exit' to quit, 'new' to start over.")
    while True:
        try:
            question = out.input("[bold cyan]you>[/] ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if question.strip().lower() in ("exit", "quit"):
            return
        if question.strip().lower() == "new":
            history = []
            continue
        try:
            out.print("[bold green]rag>[/] ", end="")
            answer = _stream_answer(bot, question, history)
            _print_answer(answer)
        except USER_ERRORS as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
            continue
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


SHORT_NAMES = {"hit@1": "hit@1", "hit@5": "hit@5", "mrr": "MRR", "answer_accuracy": "answer",
               "citation_accuracy": "cite", "citation_precision": "prec", "abstention_accuracy": "abstain",
               "wrong_answer_rate": "wrong"}


@app.command("eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="Questions in JSONL (see ../shared/eval/README.md)")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures as JSON to this file")] = None,
    report_out: Annotated[Path | None, typer.Option("--report", help="Also write a Markdown report with a bar "
                                                    "chart per kind (PNG beside it), e.g. reports/eval.md")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Score retrieval alone (hit@k, MRR): "
                                                 "no LLM, seconds instead of minutes; a follow-up searches with "
                                                 "the previous question prepended")] = False,
) -> None:
    """Score retrieval, answers, citations and abstention on a question file (format: ../shared/eval/README.md).

    Prints a table per kind of question with latency; --json and --report keep the figures."""
    from rag.assistant import Assistant
    from rag.evaluation.report import cell
    from rag.evaluation.scoring import RETRIEVAL_SCORES, load_cases, retrieval_query, run_eval
    from rag.schema import Answer

    settings = load_settings()
    bot = Assistant(settings)
    with friendly_errors():
        cases = load_cases(file)
        bot.retriever  # noqa: B018 - fail early on a missing or mismatched index
        with _progress() as bar:
            task = bar.add_task("Evaluating", total=len(cases))
            if retrieval_only:
                report = run_eval(cases, lambda c: Answer(c.question, "", True, retrieved=bot.retrieve(
                    retrieval_query(c))), on_case=lambda c, r: bar.advance(task), scores=RETRIEVAL_SCORES)
            else:
                report = run_eval(cases, lambda c: bot.ask(c.question, history=c.history or None),
                                  on_case=lambda c, r: bar.advance(task))
    scores = report["scores"]
    table = Table(title=f"rag eval — {file.name} ({report['n']} cases)",
                  caption="answer/cite/prec/abstain = answer, citation and abstention accuracy, citation precision")
    table.add_column("kind")
    table.add_column("n", justify="right")
    for name in scores:
        table.add_column(SHORT_NAMES[name], justify="right")
    for kind, figures in report["per_kind"].items():
        table.add_row(kind, str(figures["n"]), *(cell(figures[s]) for s in scores))
    table.add_row("[bold]all[/]", str(report["n"]), *(f"[bold]{cell(report['overall'][s])}[/]" for s in scores))
    out.print(table)
    lat = report["latency"]
    out.print(f"time to first token: median {lat['ttft_median_ms']} ms, p95 {lat['ttft_p95_ms']} ms; "
              f"total: median {lat['total_median_ms']} ms", highlight=False)
    if report["errors"]:
        err.print(f"[yellow]{report['errors']} case(s) failed; see the JSON report for their errors[/]")
    report["settings"] = settings.public_dict()
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.print(f"wrote {json_out}", highlight=False)
    if report_out:
        from rag.evaluation.report import write_report

        chart = write_report(report, report_out, f"rag eval — {file.name}")
        out.print(f"wrote {report_out} and {chart}", highlight=False)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def ensure_index(settings: Settings) -> None:
    """Build the index from the articles folder when there is none yet (first start)."""
    from rag.indexing import index_paths
    from rag.store import IndexMissingError, IndexStore

    try:
        if IndexStore.open(settings).count() > 0:
            return
    except IndexMissingError:
        pass
    out.print(f"No index yet: indexing {settings.articles_dir} …", highlight=False)
    with _progress() as bar:
        task = bar.add_task("Embedding passages", total=None)
        report = index_paths(settings, progress=lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"indexed {report.articles_total} articles, {report.chunks_total} passages", highlight=False)


def check_port(host: str, port: int) -> None:
    """Fail in one line when the address cannot be listened on (taken, not ours, out of range),
    before anything is loaded, instead of a server's traceback."""
    import socket

    if not 0 < port < 65536:
        raise fail(f"--port {port} is not a port number (1-65535)", 2)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port or --host)", 2) \
            from None


def page_credentials(settings: Settings) -> tuple[str, str] | None:
    if settings.ui_auth is None:
        return None
    user, password = settings.ui_auth.get_secret_value().split(":", 1)
    return user, password


def ready_assistant(settings: Settings) -> Any:
    """The index built if missing, and an Assistant whose model loads while the server starts."""
    from rag.assistant import Assistant

    with friendly_errors():
        ensure_index(settings)
        bot = Assistant(settings)
        bot.warm_up()
    return bot


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Address to listen on; anything but loopback needs --auth")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the page")] = 7860,
    auth: Annotated[str | None, typer.Option(help="user:password required to open the page (or RAG_UI_AUTH)")] = None,
    insecure: Annotated[bool, typer.Option("--insecure", help="Allow a non-loopback host without --auth")] = False,
) -> None:
    """Open the chat page (http://127.0.0.1:7860) over the current index, building it on first start."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = load_settings(ui_auth=auth)
    credentials = page_credentials(settings)
    if host not in LOOPBACK and credentials is None and not insecure:
        raise fail(f"--host {host} exposes the page to the network: add --auth user:password "
                   "(or RAG_UI_AUTH), or --insecure if you really mean it", 2)
    check_port(host, port)
    from ui.app import build_app, launch_kwargs

    demo = build_app(settings, ready_assistant(settings), loopback=host in LOOPBACK)
    out.print(f"Chat page on http://{'127.0.0.1' if host in LOOPBACK else host}:{port}  (Ctrl-C to stop)",
              highlight=False)
    demo.queue(default_concurrency_limit=8).launch(
        server_name=host, server_port=port, share=False, quiet=True, show_error=False,
        auth=credentials, **launch_kwargs(),
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; anything but loopback needs --auth and "
                                      "RAG_API_TOKEN (or --insecure)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and the page")] = 8000,
    auth: Annotated[str | None, typer.Option(help="user:password required to open the chat page (or "
                                             "RAG_UI_AUTH)")] = None,
    page: Annotated[bool, typer.Option("--page/--no-page", help="Serve the chat page at /ui/ too")] = True,
    insecure: Annotated[bool, typer.Option("--insecure", help="Allow a non-loopback host without protection")] = False,
) -> None:
    """Serve other apps: an OpenAI-compatible /v1/chat/completions, a REST API (/api/ask, /api/articles),
    /healthz, /metrics, API docs at /docs, and the chat page at /ui/.

    Point any OpenAI client at http://HOST:PORT/v1; answers keep their [n] markers and carry a `sources`
    field. Adding or removing articles needs `Authorization: Bearer $RAG_API_TOKEN`."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = load_settings(ui_auth=auth)
    credentials = page_credentials(settings)
    missing = [] if settings.api_token else ["set RAG_API_TOKEN (guards the API's writes)"]
    if page and not credentials:
        missing.append("add --auth user:password or RAG_UI_AUTH (guards the page), or --no-page")
    if host not in LOOPBACK and not insecure and missing:
        raise fail(f"--host {host} exposes the server to the network: {'; '.join(missing)}; "
                   "or --insecure if you really mean it", 2)
    check_port(host, port)
    import uvicorn

    from rag.serve.app import create_app

    api = create_app(settings, ready_assistant(settings), ui=page, ui_auth=credentials)
    shown = "127.0.0.1" if host in LOOPBACK else host
    out.print(f"API on http://{shown}:{port}/v1 (OpenAI-compatible) and /api; docs http://{shown}:{port}/docs"
              + (f"; chat page http://{shown}:{port}/ui/" if page else "") + "  (Ctrl-C to stop)", highlight=False,
              soft_wrap=True)
    uvicorn.run(api, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


@app.command()
def mcp(
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP at http://HOST:PORT/mcp instead of "
                                       "stdio")] = False,
    host: Annotated[str, typer.Option(help="With --http: address to listen on; anything but loopback needs "
                                      "RAG_API_TOKEN")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="With --http: port")] = 8765,
) -> None:
    """Serve the articles to AI assistants and IDEs over the Model Context Protocol (MCP).

    Tools: ask (a cited answer, or an abstention), search (passages only), list_articles.
    Only when RAG_API_TOKEN is set: add_article and remove_article.

    By default it speaks MCP over stdin/stdout: register `rag mcp` as a command in the client.
    With --http it serves streamable HTTP at http://127.0.0.1:PORT/mcp instead.
    With RAG_API_TOKEN set, every HTTP request must carry `Authorization: Bearer $RAG_API_TOKEN`.
    A --host other than loopback is refused unless RAG_API_TOKEN is set.

    The index is not built here: run `rag index` first (a tool call says so otherwise)."""
    from rag.mcp_server import build_server, host_refusal, run_http

    settings = load_settings()
    if http:
        refusal = host_refusal(settings, host)
        if refusal:
            raise fail(refusal, 2)
        check_port(host, port)
    server = build_server(settings)
    if http:
        err.print(f"MCP on http://{'127.0.0.1' if host in LOOPBACK else host}:{port}/mcp  (Ctrl-C to stop)",
                  highlight=False)
        run_http(settings, server, host, port)
    else:
        server.run("stdio")  # stdout is the protocol from here on: nothing else may print to it


@app.command()
def bench(
    sizes: Annotated[str, typer.Option(help="Corpus sizes in articles, comma-separated (10000 takes 2-3 h "
                                       "on 2 cores)")] = "5,1000",
    queries: Annotated[int, typer.Option(min=1, help="Timed retrieval queries per size")] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic articles")] = 20261123,
    results: Annotated[Path, typer.Option(help="Where the figures go (JSON)")] = Path("benchmarks/results.json"),
    markdown: Annotated[Path, typer.Option(help="Markdown tables (PNG plot beside it)")] = Path("docs/benchmarks.md"),
    workdir: Annotated[Path | None, typer.Option(help="Keep the throw-away indexes here (default: a temp "
                                                 "folder, deleted)")] = None,
    llm: Annotated[bool, typer.Option("--llm/--no-llm", help="Time the LLM (loads the bundled model)")] = True,
    server: Annotated[bool, typer.Option("--server/--no-server", help="Also time a `chroma run` server")] = True,
    startup: Annotated[bool, typer.Option("--startup/--no-startup", help="Time `rag ui` and `rag serve` from "
                                          "start to first answer")] = True,
    resume: Annotated[bool, typer.Option("--resume", help="Carry on the indexing an interrupted run left in "
                                         "--workdir (indexing writes article by article; chunks/s counts every "
                                         "sitting)")] = False,
    merge: Annotated[bool, typer.Option("--merge", help="Keep the saved rows of sizes this run does not measure "
                                        "(each row says when it was measured)")] = False,
) -> None:
    """Measure indexing (chunks/s, peak memory, 1-article update), retrieval p50/p95 against a plain
    LlamaIndex baseline and the raw floor (embedded and Chroma server), the LLM, and cold start.

    Synthetic news articles from a fixed seed; indexes are built in a throw-away folder, never yours."""
    from rag.bench.run import run_bench

    try:
        wanted = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError as exc:
        raise fail(f"--sizes must be whole numbers separated by commas, got {sizes!r}", 2) from exc
    if not wanted or min(wanted) < 1:
        raise fail("--sizes needs at least one size of 1 or more", 2)
    if resume and workdir is None:
        raise fail("--resume needs --workdir: the folder the interrupted run kept its indexes in", 2)
    if merge and not results.is_file():
        raise fail(f"--merge keeps the figures saved in {results.resolve()}, and there is no such file: run from "
                   "the project folder, or point --results at the saved file", 2)
    settings = load_settings()
    import signal

    # A stopped run (kill, SIGTERM) unwinds like Ctrl-C: the Chroma server and indexing child it
    # started stop with it, and `--resume` carries on from the child's ledger.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    with friendly_errors():
        run_bench(settings, sizes=wanted, workdir=workdir, results_path=results, markdown_path=markdown,
                  include_llm=llm, include_server=server, include_startup=startup, queries=queries, seed=seed,
                  progress=lambda line: err.print(line, highlight=False), resume=resume, merge=merge)
    out.print(f"wrote {results.resolve()} and {markdown.resolve()}", highlight=False)


@app.command()
def config() -> None:
    """Print the effective settings (secrets masked) and where they come from."""
    settings = load_settings()
    out.print_json(json.dumps(settings.public_dict()))


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show what is indexed: articles, passages, embedding model, last update, size on disk."""
    from rag.store import IndexStore

    settings = load_settings()
    with friendly_errors():
        store = IndexStore.open(settings)
        docs = store.documents()
        meta = store.metadata
        size = store.disk_bytes(settings)
        translated = store.translations.counts(settings.index_language) if store.translations else {}
    foreign = [d for d in docs.values() if d.language and d.language != settings.index_language]
    untranslated = sorted(d.doc_id for d in foreign if translated.get((d.doc_id, d.content_hash), 0) < d.chunks)
    info = {"articles": len(docs), "passages": sum(d.chunks for d in docs.values()),
            "embedding_model": meta.get("embedding_model"), "fusion_model": meta.get("aux_model") or None,
            "chunk_size": meta.get("chunk_size"), "chunk_overlap": meta.get("chunk_overlap"),
            "updated_at": meta.get("updated_at"), "index": settings.chroma_url or str(settings.index_dir),
            "generation": store.name, "size_on_disk_mb": None if size is None else round(size / 1e6, 2),
            "incomplete_articles": sorted(d.doc_id for d in docs.values() if not d.complete or d.other_hashes),
            "index_language": settings.index_language,
            "translated_passages": sum(n for (doc_id, digest), n in translated.items()
                                       if doc_id in docs and docs[doc_id].content_hash == digest),
            "untranslated_articles": untranslated}
    if settings.llm_backend == "local":
        from rag.local_model import runtime_kernels

        info["llm_runtime"] = runtime_kernels()
    if as_json:
        out.print_json(json.dumps(info))
        return
    for key, value in info.items():
        out.print(f"{key:16} {value}", highlight=False)


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        sys.exit(0)
