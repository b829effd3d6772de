"""`rag bench`: everything only the benchmark uses, apart from the engine.

`run` (the whole measurement: indexing in child processes, retrieval against baselines), `llm`
(answer speed and cold start), `report` (the Markdown page and chart), `synthetic` (seeded
corpora), `chroma_server` (a `chroma run` beside us, also used by the tests), `timing` (summaries).
`python -m rag.bench _index` is the indexing child.
"""
