"""From a question to the passages most likely to answer it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from llama_index.core.embeddings import BaseEmbedding

from rag.companions import companion, with_companion
from rag.grounding import asks_newest, newest_first
from rag.rerank import pins, published, rerank
from rag.schema import Passage
from rag.store import Hit, IndexStore
from rag.superseded import asks_updated

__all__ = ["Passage", "Retriever", "join_overlapping", "passage_from_hit", "reciprocal_rank_fusion"]


PINNED_PER_DATE = 3  # passages fetched per date a question names
PINNED_PER_DAY = 8  # per month when the question names a day in it: that day's report among the month's others
NEWEST_PASSAGES = 12  # passages fetched from the newest years for "the most recent ..."
COMPANION_SEARCH = 6  # passages searched per month around the best report's day, for its companion


def wants_newest(question: str) -> bool:
    """Whether the newest matching report should lead: "the most recent ..." (`asks_newest`), and
    "the updated toll" when no date pins it (an update is the later of two reports of one event;
    holdout6 y017's Romanian update ranked eighth, below the first report)."""
    return asks_newest(question) or (asks_updated(question) and not pins(question).dates)


def passage_from_hit(hit: Hit) -> Passage:
    meta = hit.node.metadata
    return Passage(
        source=str(meta.get("source", "")),
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        outlet=str(meta.get("outlet", "")),
        language=str(meta.get("language", "")),
        published=str(meta.get("published", "")),
        text=hit.node.text,
        score=hit.score,
        chunk=int(meta.get("chunk", 0)),
        content_hash=str(meta.get("content_hash", "")),
        node_id=hit.node.node_id,
        chunks=int(meta.get("chunks", 0) or 0),
    )


def join_overlapping(first: str, second: str, min_overlap: int = 20) -> str:
    """Join consecutive chunks, dropping the text the splitter repeated at the start of the second."""
    longest = min(len(first), len(second))
    for size in range(longest, min_overlap - 1, -1):
        if first.endswith(second[:size]):
            return first + second[size:]
    return first.rstrip() + "\n" + second.lstrip()


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60) -> list[str]:
    """Fuse rankings of ids: each list gives 1/(k + rank); the sum orders the result."""
    score: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            score[item] = score.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(score, key=lambda item: -score[item])


class Retriever:
    """Dense retrieval with the index's embedding model, fused with a second model when the index
    has one (reciprocal rank fusion over each model's own query embedding)."""

    def __init__(self, store: IndexStore, embedder: BaseEmbedding, top_k: int,
                 aux_embedder: BaseEmbedding | None = None, depth: int = 20, rerank_depth: int = 0,
                 language: str = "en", given: int = 0) -> None:
        self.store = store
        self.given = given  # passages the model reads: a report's companion is brought among them; 0: never
        self.language = language  # the index's: the language its stored translations are in
        self.embedder = embedder
        self.aux_embedder = aux_embedder if store.aux is not None else None
        self.top_k = top_k
        self.depth = depth
        self.rerank_depth = rerank_depth  # candidates re-scored by metadata (rag.rerank); 0: none

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        k = k or self.top_k
        wanted = max(k, self.rerank_depth)
        embedding = self.embedder.get_query_embedding(question)
        if self.aux_embedder is None:
            candidates = [passage_from_hit(h) for h in self._dense(embedding, wanted)]
        else:
            depth = max(self.depth, wanted)
            # Both embeddings before any search: right after e5's call its OpenMP worker still
            # spins on the other core, which slows Chroma's search (~9 ms instead of ~5) more
            # than USE's single-threaded embedding (`rag bench`, docs/scaling.md).
            aux_embedding = self.aux_embedder.get_query_embedding(question)
            dense = self._dense(embedding, depth)
            aux_ids = self.store.query_aux(aux_embedding, depth)
            by_id = {h.node.node_id: h for h in dense}
            fused = reciprocal_rank_fusion([list(by_id), aux_ids])[:wanted]
            missing = [i for i in fused if i not in by_id]
            by_id.update({h.node.node_id: h for h in self.store.fetch(missing, embedding)})
            candidates = [passage_from_hit(by_id[i]) for i in fused if i in by_id]
        if self.rerank_depth:
            candidates = self._with_pinned_dates(question, embedding, candidates)
        candidates = self._with_translations(candidates)
        if self.rerank_depth:
            candidates = rerank(question, candidates)
            if wants_newest(question):
                candidates = newest_first(question, candidates)
        if self.given and candidates:
            candidates = self._with_companion(embedding, candidates)
        return candidates[:k]

    def _with_companion(self, embedding: list[float], candidates: list[Passage]) -> list[Passage]:
        """The best report's companion (`rag.companions`: the other report of its event, a first
        report or its update) among the passages the model reads."""
        reach = COMPANION_SEARCH + candidates[0].chunks  # the best report's own chunks fill the nearest

        def search(month: tuple[int, int]) -> list[Passage]:
            return [passage_from_hit(h) for h in self._dense(embedding, reach, published=month)]
        found = companion(candidates[0], search, self.store.opening_vector)
        if found is not None:
            found = self._with_translations([found])[0]  # only the one passage given needs its translation
        return with_companion(candidates, found, self.given)

    def _dense(self, embedding: list[float], k: int, published: tuple[int, int] | None = None,
               since: int | None = None) -> list[Hit]:
        """The `k` nearest chunks (of articles published then: `IndexStore.query`), a chunk matching
        by its text or by its stored translation (whichever is nearer): a question in English finds
        the Italian report's passages, also among the reports of a date the question names."""
        hits = self.store.query(embedding, k, published=published, since=since)
        translations = self.store.translations
        if translations is None:
            return hits
        best = {h.node.node_id: h for h in hits}
        nearer = {t.node.node_id: t.score for t in translations.query(embedding, k, published=published, since=since)
                  if t.score > (best[t.node.node_id].score if t.node.node_id in best else -2.0)}
        if not nearer:  # no translations, or none nearer than its original
            return hits
        missing = [i for i in nearer if i not in best]
        best.update({h.node.node_id: h for h in self.store.fetch(missing, embedding)})
        scored = [Hit(node=h.node, score=nearer.get(i, h.score)) for i, h in best.items()]
        return sorted(scored, key=lambda h: -h.score)[:k]

    def _with_translations(self, passages: Sequence[Passage]) -> list[Passage]:
        """Each passage with its stored translation into the index's language, when it has one."""
        translations = self.store.translations
        if translations is None or not passages:
            return list(passages)
        texts = translations.texts([p.node_id for p in passages if p.node_id], self.language)
        return [replace(p, translation=texts.get(p.node_id, p.translation)) for p in passages]

    def _with_pinned_dates(self, question: str, embedding: list[float], candidates: list[Passage]) -> list[Passage]:
        """Add the nearest passages of the articles published when the question says ("in July
        2023"), or of the newest ones when it asks for "the most recent": among near-duplicates
        the right report may rank below the depth searched."""
        seen = {(p.doc_id, p.content_hash, p.chunk) for p in candidates}
        out = list(candidates)
        asked = pins(question)
        months_of_days = {(year, month) for year, month, _ in asked.days}
        queries: list[tuple[int, tuple[int, int] | None, int | None]] = [
            (PINNED_PER_DAY if when in months_of_days else PINNED_PER_DATE, when, None)
            for when in sorted(asked.dates)[:3]]
        if wants_newest(question) and (newest := self._newest_year(candidates)):
            queries.append((NEWEST_PASSAGES, None, newest))
        for k, when, since in queries:
            for hit in self._dense(embedding, k, published=when, since=since):
                passage = passage_from_hit(hit)
                if (passage.doc_id, passage.content_hash, passage.chunk) not in seen:
                    seen.add((passage.doc_id, passage.content_hash, passage.chunk))
                    out.append(passage)
        return out

    @staticmethod
    def _newest_year(candidates: Sequence[Passage]) -> int:
        """The newest year among the candidates' articles (0: none is dated): "the most recent
        package" is also looked for among the nearest passages of that year and later, since
        among near-duplicates dense retrieval ranks the 2025 round no nearer than the 2014 one,
        and it may not be among the candidates at all. (A newer report is found that way only
        when it is among those nearest passages.)"""
        return max((when[0] for p in candidates if (when := published(p)) is not None), default=0)

    def articles(self, passages: Sequence[Passage]) -> dict[str, str]:
        """The whole text of each passage's article, by doc_id: what a question's names are checked
        against (a passage often quotes someone its article names only paragraphs earlier)."""
        versions = {p.doc_id: (p.content_hash, p.chunks) for p in passages}  # each article read once
        translated = {p.doc_id for p in passages if p.translation}
        out = {}
        for doc_id, (digest, chunks) in versions.items():
            translation = self._translated_article(doc_id, digest, chunks) if doc_id in translated else ""
            out[doc_id] = translation + self.store.article_text(doc_id, digest, chunks)
        return out

    def _translated_article(self, doc_id: str, content_hash: str, chunks: int) -> str:
        """An article's stored translation, put before its original: its opening then names, in the
        index's language, the event a translated passage belongs to ("NATO" where the French
        report's lede says "OTAN")."""
        if self.store.translations is None or chunks <= 0:
            return ""
        texts = self.store.translations.chunk_texts(doc_id, content_hash, range(chunks), self.language)
        return "\n".join(texts[c] for c in sorted(texts)) + "\n" if texts else ""

    def widen(self, passages: Sequence[Passage], window: int, count: int) -> list[Passage]:
        """The first `count` passages with up to `window` neighbouring chunks of their article on each side.

        A chunk boundary often falls between a fact and who said it, or between a question's
        words and its answer; the model (and the reader checking a citation) gets the sentences
        around the hit. Passages whose windows would repeat text already given are merged away.
        """
        out: list[Passage] = []
        covered: dict[tuple[str, str], set[int]] = {}
        for rank, p in enumerate(passages):
            reach = window if rank < count else 0
            wanted = [c for c in range(p.chunk - reach, p.chunk + reach + 1) if c >= 0 and c != p.chunk]
            seen = covered.setdefault((p.doc_id, p.content_hash), set())
            if p.chunk in seen:
                continue
            texts = self.store.chunk_texts(p.doc_id, p.content_hash, [c for c in wanted if c not in seen])
            texts[p.chunk] = p.text
            translated = self._window_translations(p, list(texts))
            seen.update(texts)
            out.append(replace(p, text=joined(texts), translation=joined(translated) if translated else p.translation))
        return out

    def _window_translations(self, passage: Passage, chunks: list[int]) -> dict[int, str]:
        """The stored translations of a widened passage's chunks (none unless the passage has one)."""
        if not passage.translation or self.store.translations is None:
            return {}
        others = [c for c in chunks if c != passage.chunk]
        texts = self.store.translations.chunk_texts(passage.doc_id, passage.content_hash, others, self.language)
        return texts | {passage.chunk: passage.translation}


def joined(texts: dict[int, str]) -> str:
    """Chunk texts by chunk number, joined in order without the splitter's repeated overlap."""
    merged = ""
    for c in sorted(texts):
        merged = join_overlapping(merged, texts[c]) if merged else texts[c]
    return merged
