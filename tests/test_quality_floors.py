"""Retrieval regression floors on the whole dev set, its held-out split and the public questions.

No LLM: retrieval alone, as `rag eval --retrieval-only` runs it (a follow-up searches with the
previous question prepended). The floors sit about one case under the figures measured when the
levers were chosen (docs/quality.md); the answer floors, which need the bundled LLM, are in
tests/test_e2e_local.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.assistant import Assistant
from rag.embeddings import E5Embedding, USEEmbedding
from rag.evaluation.scoring import RETRIEVAL_SCORES, load_cases, retrieval_query, run_eval
from rag.indexing import index_paths
from rag.schema import Answer
from tests.fixtures.settings import BUNDLED, ROOT, make_settings

EVAL = ROOT / "data" / "eval"


def retrieval_report(index_dir: Path, questions: Path, e5: E5Embedding, use: USEEmbedding) -> dict[str, Any]:
    bot = Assistant(make_settings(index_dir.parent, index_dir=index_dir), embedder=e5)
    bot._aux_embedder = use
    return run_eval(load_cases(questions), lambda c: Answer(c.question, "", True, retrieved=bot.retrieve(
        retrieval_query(c))), scores=RETRIEVAL_SCORES)


@pytest.fixture(scope="module")
def dev_index(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedding, use: USEEmbedding) -> Path:
    """The bundled articles plus the dev corpus (16 near-duplicate reports in five languages)."""
    index_dir = tmp_path_factory.mktemp("dev") / "index"
    settings = make_settings(index_dir.parent, index_dir=index_dir, translate_articles=True)
    report = index_paths(settings, [BUNDLED, EVAL / "corpus"], embedder=e5, aux_embedder=use)
    assert report.articles_total == 21 and not report.skipped
    assert len(report.translated) == 7 and not report.notes  # the French, German, Italian, Indonesian ones
    return index_dir


# Cross-lingual MRR rests on the translations the bundled LLM makes at index time, which differ a
# little between machines (llama.cpp builds for each CPU): holdout's six cases measured 0.92 on
# 2026-11-24 and 0.83 on 2026-12-03 (one passage a rank lower), dev's thirteen 0.92 both times.
# Dev grew to 119 on 2026-12-05 with d117, a known weak case (its Indonesian chunk says only "Dia",
# he; Cleverly, whom the question names, is in the chunk before, so the passage ranks fifth): dev
# measured hit@5 0.94 (98 of 104), MRR 0.88, cross-lingual MRR 0.82 (0.88 without d117), so its
# floors sit one case below the measured figures, as they did before the set grew.
@pytest.mark.parametrize(("split", "hit5", "mrr", "cross_lingual_mrr"),
                         [("dev", 0.93, 0.87, 0.80), ("holdout", 0.97, 0.94, 0.80)])
def test_retrieval_floors_on_the_dev_set(dev_index: Path, e5: E5Embedding, use: USEEmbedding, split: str,
                                         hit5: float, mrr: float, cross_lingual_mrr: float) -> None:
    report = retrieval_report(dev_index, EVAL / f"{split}.jsonl", e5, use)
    assert report["errors"] == 0
    assert report["overall"]["hit@5"] >= hit5, report["overall"]
    assert report["overall"]["mrr"] >= mrr, report["overall"]
    assert report["per_kind"]["temporal"]["mrr"] >= 0.6  # dates pinned by the question: rerank and filter
    assert report["per_kind"]["cross-lingual"]["mrr"] >= cross_lingual_mrr  # translations made at index time


def test_retrieval_floors_on_the_public_questions(bundled_index: Path, e5: E5Embedding, use: USEEmbedding) -> None:
    report = retrieval_report(bundled_index, EVAL / "public.jsonl", e5, use)
    assert report["overall"]["hit@5"] >= 0.95 and report["overall"]["mrr"] >= 0.93, report["overall"]
