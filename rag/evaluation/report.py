"""The eval report a person reads: a Markdown page with the figures and a bar chart per kind.

Built from the dict that `rag eval --json` writes, so a report can be made again later from a
saved JSON without asking the model anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rag.evaluation.scoring import SCORES

LABELS = {"hit@1": "hit@1", "hit@5": "hit@5", "mrr": "MRR", "answer_accuracy": "answer acc.",
          "citation_accuracy": "citation acc.", "citation_precision": "citation prec.",
          "abstention_accuracy": "abstention acc.", "wrong_answer_rate": "wrong-answer rate"}


def cell(value: float | None) -> str:
    """A score as a table shows it (the CLI's table too): two decimals, or a dash when it does not apply."""
    return "—" if value is None else f"{value:.2f}"


def _seconds(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.1f} s"


def markdown(report: dict[str, Any], title: str, chart_name: str | None) -> str:
    """The report page: overall and per-kind scores, latency, and every case that went wrong."""
    scores = report.get("scores") or SCORES
    head = "| kind | n | " + " | ".join(LABELS[s] for s in scores) + " |"
    rule = "| --- " * (len(scores) + 2) + "|"
    rows = [f"| {kind} | {figures['n']} | " + " | ".join(cell(figures[s]) for s in scores) + " |"
            for kind, figures in report["per_kind"].items()]
    rows.append(f"| **all** | **{report['n']}** | "
                + " | ".join(f"**{cell(report['overall'][s])}**" for s in scores) + " |")
    lat = report["latency"]
    lines = [f"# {title}", "", head, rule, *rows, "",
             f"Time to first token: median {_seconds(lat['ttft_median_ms'])}, p95 {_seconds(lat['ttft_p95_ms'])}. "
             f"Whole answer: median {_seconds(lat['total_median_ms'])}, p95 {_seconds(lat['total_p95_ms'])}.", ""]
    if chart_name:
        lines += [f"![Scores per kind]({chart_name})", ""]
    misses = [c for c in report["cases"] if _missed(c)]
    if misses:
        lines += ["## Cases that lost points", "",
                  "| id | kind | question | answer | cited | held back because |", "| --- " * 6 + "|"]
        for case in misses:
            answer = case.get("error") or case.get("answer", "")
            cited = ", ".join(dict.fromkeys(case.get("cited", []))) or "—"
            why = _md("; ".join(case.get("held_back") or [])[:300]) or "—"  # the checks' reasons, for a withheld answer
            lines.append(f"| {case['id']} | {case['kind']} | {_md(case['question'])} | {_md(answer)} | {cited} "
                         f"| {why} |")
        lines.append("")
    return "\n".join(lines)


def _missed(case: dict[str, Any]) -> bool:
    return bool(case.get("error")) or any(case.get(s) is not None and case[s] < 1.0
                                          for s in ("answer_accuracy", "citation_accuracy", "citation_precision",
                                                    "abstention_accuracy"))


def _md(text: str) -> str:
    return " ".join(str(text).replace("|", "\\|").split())


def bar_chart(report: dict[str, Any], path: Path) -> None:
    """Grouped bars: one group per kind (and overall), one bar per score."""
    scores = report.get("scores") or SCORES
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [*report["per_kind"].items(), ("all", report["overall"] | {"n": report["n"]})]
    width = 0.8 / len(scores)
    fig, ax = plt.subplots(figsize=(11, 4.2), dpi=110)
    for i, score in enumerate(scores):
        xs = [g + (i - (len(scores) - 1) / 2) * width for g in range(len(groups))]
        ys = [scores[score] if scores[score] is not None else 0.0 for _, scores in groups]
        ax.bar(xs, ys, width, label=LABELS[score])
    ax.set_xticks(range(len(groups)), [f"{kind}\n(n={scores['n']})" for kind, scores in groups], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(ncols=4, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(report: dict[str, Any], path: Path, title: str) -> Path:
    """Write `path` (Markdown) and its chart beside it (same name, .png); return the chart's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = path.with_suffix(".png")
    bar_chart(report, chart)
    path.write_text(markdown(report, title, chart.name) + "\n", encoding="utf-8")
    return chart
