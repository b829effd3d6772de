"""What every part of `rag bench` shares: the progress callback and latency summaries (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.evaluation.stats import percentile

Progress = Callable[[str], None]


def summary(ms: Sequence[float]) -> dict[str, float]:
    return {"p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2),
            "mean": round(sum(ms) / len(ms), 2), "n": len(ms)}


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b > 0 else None
