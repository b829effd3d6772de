"""Ingestion: scan article folders, chunk with LlamaIndex, embed, and bring the index in step.

Indexing is incremental: each chunk carries its article's content hash, so only new or changed
articles are embedded, and articles that disappeared from a scanned folder are removed. New
chunks of a changed article are written before the old ones are deleted, so a crash leaves the
article answerable (at worst twice) and the next run finishes the job.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from filelock import FileLock, Timeout
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from rag.documents import MANIFEST_NAME, SUPPORTED_SUFFIXES, scan
from rag.embeddings import USE_MODEL_ID, embedding_id, make_aux_embedding, make_embedding
from rag.llm import LLMError
from rag.schema import Article, IndexReport, StoredDocument, chunk_id
from rag.settings import Settings
from rag.store import BuildInfo, IndexStore, StoreError, forget_embedded_clients
from rag.translation import TranslationError, Translator, needs_translation

log = logging.getLogger(__name__)

EMBED_BATCH = 32
Progress = Callable[[int, int], None]


@dataclass
class Plan:
    """The difference between what is on disk and what is indexed."""

    to_embed: list[Article] = field(default_factory=list)
    stale: dict[str, list[str]] = field(default_factory=dict)  # doc_id -> hashes of chunks to drop afterwards
    to_remove: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)


def build_info(settings: Settings, dim: int) -> BuildInfo:
    aux = USE_MODEL_ID if settings.fusion == "use" else ""
    return BuildInfo(embedding_id(settings), dim, settings.chunk_size, settings.chunk_overlap, aux)


def make_plan(
    articles: Sequence[Article],
    stored: dict[str, StoredDocument],
    roots: Sequence[str],
    stored_roots: dict[str, str],
) -> Plan:
    """Pure diff of scanned articles against the stored documents.

    A stored document is removed when it came from one of the scanned folders and is no longer
    there. The same content under a second name is indexed once and reported as a duplicate.
    """
    plan = Plan()
    by_hash: dict[str, str] = {}
    for doc in stored.values():
        by_hash.setdefault(doc.content_hash, doc.doc_id)
    present = {a.doc_id for a in articles}
    # an owner stays when it is here too, new in this run, or from a folder this run leaves alone
    # (it was renamed when it came from a scanned folder and is gone from it)
    staying = present | {d for d in stored if stored_roots.get(d) not in roots}
    for article in articles:
        owner = by_hash.get(article.content_hash)
        if owner is not None and owner != article.doc_id and (owner in staying or owner not in stored):
            plan.duplicates.append({"doc_id": article.doc_id, "same_as": owner})
            continue
        by_hash[article.content_hash] = article.doc_id
        old = stored.get(article.doc_id)
        if old is not None and old.content_hash == article.content_hash and old.complete:
            plan.unchanged.append(article.doc_id)
            if old.other_hashes:  # a killed update left the old version behind: finish dropping it
                plan.stale[article.doc_id] = list(old.other_hashes)
            continue
        plan.to_embed.append(article)
        if old is not None:
            versions = [old.content_hash, *old.other_hashes]
            plan.stale[article.doc_id] = [h for h in versions if h != article.content_hash]
    for doc_id in stored:
        if doc_id not in present and stored_roots.get(doc_id) in roots:
            plan.to_remove.append(doc_id)
    return plan


def splitter_for(settings: Settings) -> SentenceSplitter:
    return SentenceSplitter(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)


def published_numbers(article: Article) -> dict[str, int]:
    """`year` and `month` (0 when unknown) of the publication date, as numbers the vector store
    can filter on ("in July 2023" searches that month's articles too)."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?", article.published)
    return {"year": int(match.group(1)), "month": int(match.group(2) or 0)} if match else {"year": 0, "month": 0}


def chunk_article(article: Article, splitter: SentenceSplitter, root: str) -> list[TextNode]:
    """Split one article into nodes whose metadata says where each passage came from."""
    texts = [t for t in splitter.split_text(article.text) if t.strip()]
    nodes: list[TextNode] = []
    for i, text in enumerate(texts):
        node_id = chunk_id(article.doc_id, article.content_hash, i)
        meta = article.metadata() | {"chunk": i, "chunks": len(texts), "root": root, **published_numbers(article)}
        node = TextNode(id_=node_id, text=text, metadata=meta)
        node.excluded_embed_metadata_keys = list(meta)
        node.excluded_llm_metadata_keys = list(meta)
        node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=article.doc_id)
        nodes.append(node)
    return nodes


def embedding_text(node: TextNode) -> str:
    """What is embedded for a passage: its text headed by its article's title, date and outlet.

    Near-duplicate reports (sanctions of 2022, 2023, 2024...) have passages that read alike and
    rarely repeat the date or the summit; the header lets "in May 2023" or "at Hiroshima" find
    the right report's passages, not just its first paragraph. The passage itself is unchanged.
    """
    meta = node.metadata
    header = " · ".join(str(meta[k]) for k in ("title", "published", "outlet") if meta.get(k))
    return f"{header}\n{node.text}" if header else node.text


def unique_ids(articles: Sequence[Article], root_of: Callable[[Article], str],
               stored: dict[str, StoredDocument]) -> list[Article]:
    """Articles whose ids are unique across folders, and stable from run to run.

    An article's id is its path inside the folder it came from; when that id already belongs to
    an article of another folder (indexed earlier, or earlier in this run), it becomes
    `<folder name>/<path>` (then `<folder name>-2/<path>`, ...). Without this, `story.txt` in two
    folders was one article that each run replaced with the other.
    """
    owner = {doc_id: doc.root for doc_id, doc in stored.items()}
    out = []
    for article in articles:
        root = root_of(article)
        doc_id, n = article.doc_id, 1
        while owner.get(doc_id, root) != root:
            n += 1
            doc_id = f"{Path(root).name}{'' if n == 2 else f'-{n - 1}'}/{article.doc_id}"
        owner[doc_id] = root
        out.append(replace(article, doc_id=doc_id, relpath=article.doc_id))
    return out


class IndexBusyError(StoreError):
    """Another run holds the index lock and we were told not to wait."""


def index_lock(settings: Settings) -> FileLock:
    """One writer at a time per index: a lock file beside the embedded index, or in the cache
    folder for a Chroma server (which serialises writers on this machine only)."""
    if settings.chroma_url:
        key = hashlib.sha256(f"{settings.chroma_url}/{settings.collection}".encode()).hexdigest()[:16]
        path = Path(settings.model_cache_dir) / "locks" / f"index-{key}.lock"
    else:  # beside the folder, not in it: a corrupted folder can then be moved aside under the lock
        index_dir = Path(settings.index_dir).resolve()
        path = index_dir.with_name(f".{index_dir.name}.{settings.collection}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the index folder {path.parent}: {exc.strerror or exc}") from exc
    return FileLock(str(path))


@contextmanager
def holding(lock: FileLock, on_wait: Callable[[], None] | None) -> Iterator[None]:
    """Take the lock; if another run has it, say so (`on_wait`) and wait, or fail when `on_wait` is None."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is None:
            raise IndexBusyError("another `rag index` run is changing this index; try again when it has "
                                 "finished") from None
        on_wait()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def index_paths(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    embedder: BaseEmbedding | None = None,
    aux_embedder: BaseEmbedding | None = None,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = lambda: None,
    translator: Translator | None = None,
    translating: Progress | None = None,
) -> IndexReport:
    """Bring the index in step with `paths` (default: the articles folder).

    Runs are serialised by a lock (`on_wait` is told when this one has to wait; None: fail
    instead). A rebuild writes a new generation beside the live one and switches readers to it
    only once it is complete, so a killed rebuild leaves the old index answering. Articles in
    another language than the index's get translated companions (`translating` reports progress).
    """
    started = time.perf_counter()
    roots = [Path(p).expanduser().resolve() for p in (paths or [settings.articles_dir])]
    found = scan(roots, strip=settings.strip_furniture)
    report = IndexReport(skipped=[{"path": s.path, "reason": s.reason} for s in found.skipped])
    embedder = embedder or make_embedding(settings)
    aux_embedder = aux_embedder or make_aux_embedding(settings)
    dim = len(embedder.get_query_embedding("dimension probe"))
    info = build_info(settings, dim)
    with holding(index_lock(settings), on_wait):
        store = _fresh_generation(settings, info, report) if rebuild else IndexStore.create(settings, info)
        articles = _bring_in_step(store, settings, found.articles, roots, report, embedder, aux_embedder, progress)
        if settings.translate_articles:
            translator = translator or Translator(settings)
            _translate_foreign(store, settings, articles, roots, Companions(translator, embedder), report,
                               translating)
        if rebuild:
            store.publish(settings)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _fresh_generation(settings: Settings, info: BuildInfo, report: IndexReport) -> IndexStore:
    """A new generation for a rebuild; an embedded index too broken to open is moved aside
    (kept, renamed) and replaced, since a rebuild is exactly what its error message asks for."""
    try:
        return IndexStore.create_generation(settings, info)
    except StoreError:
        if settings.chroma_url or not Path(settings.index_dir).exists():
            raise
    broken = Path(settings.index_dir)
    aside = broken.with_name(f"{broken.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    forget_embedded_clients()  # chromadb keeps the failed client for this path otherwise
    broken.rename(aside)
    report.notes.append(f"the index at {broken} could not be opened; it was moved to {aside} and built afresh")
    return IndexStore.create_generation(settings, info)


def _bring_in_step(store: IndexStore, settings: Settings, articles: Sequence[Article], roots: Sequence[Path],
                   report: IndexReport, embedder: BaseEmbedding, aux_embedder: BaseEmbedding | None,
                   progress: Progress | None) -> list[Article]:
    """Embed what is new or changed, article by article: each article's new chunks are written
    before its old ones are dropped, so a run killed anywhere leaves every article answerable.
    Returns the articles now indexed from these folders (each under its unique id)."""
    folder_roots = [str(r) for r in roots if r.is_dir()]
    stored = store.documents()
    articles = unique_ids(articles, lambda a: _root_for(a, roots), stored)
    plan = make_plan(articles, stored, folder_roots, {doc_id: doc.root for doc_id, doc in stored.items()})
    report.duplicates = plan.duplicates
    report.unchanged = plan.unchanged

    splitter = splitter_for(settings)
    chunked = [(a, chunk_article(a, splitter, _root_for(a, roots))) for a in plan.to_embed]
    total = sum(len(nodes) for _, nodes in chunked)
    done = 0
    if progress:
        progress(0, total)
    for article, nodes in chunked:
        aux_vectors: list[list[float]] = []
        for start in range(0, len(nodes), EMBED_BATCH):
            batch = nodes[start : start + EMBED_BATCH]
            aux_vectors += _embed_batch(batch, embedder, aux_embedder)
            done += len(batch)
            if progress:
                progress(done, total)
        store.add(nodes, aux_vectors if aux_embedder is not None else None)
        (report.updated if article.doc_id in plan.stale else report.added).append(article.doc_id)
    for doc_id, hashes in plan.stale.items():
        if hashes:
            store.delete_where({"$and": [{"doc_id": doc_id}, {"content_hash": {"$in": hashes}}]})
    for doc_id in plan.to_remove:
        store.delete_document(doc_id)
        report.removed.append(doc_id)
    if report.changed:
        store.touch()
    report.chunks_embedded = total
    report.chunks_total = store.count()
    # the listing read at the start, brought up to date (under the lock nothing else changed it)
    report.articles_total = len((set(stored) | set(report.added)) - set(report.removed))
    duplicates = {d["doc_id"] for d in plan.duplicates}
    return [a for a in articles if a.doc_id not in duplicates]


def _embed_batch(batch: Sequence[TextNode], embedder: BaseEmbedding,
                 aux_embedder: BaseEmbedding | None) -> list[list[float]]:
    """Embed passages in place with the index's model; return the second model's vectors (if any)."""
    vectors = embedder.get_text_embedding_batch([embedding_text(n) for n in batch])
    for node, vector in zip(batch, vectors, strict=True):
        node.embedding = vector
    return aux_embedder.get_text_embedding_batch([n.text for n in batch]) if aux_embedder is not None else []


@dataclass
class Companions:
    """What makes a translated companion passage: the translator and the index's embedding model."""

    translator: Translator
    embedder: BaseEmbedding

    def nodes(self, originals: Sequence[TextNode]) -> list[TextNode]:
        """The originals translated (same ids and metadata, text in the index's language), embedded."""
        language = self.translator.target
        texts = self.translator.translate([n.text for n in originals])
        nodes = [TextNode(id_=n.node_id, text=text, metadata=n.metadata | {"translated_to": language})
                 for n, text in zip(originals, texts, strict=True)]
        for node, original in zip(nodes, originals, strict=True):
            node.relationships = dict(original.relationships)  # the vector store takes doc_id from these
            node.excluded_embed_metadata_keys = list(node.metadata)
            node.excluded_llm_metadata_keys = list(node.metadata)
        vectors = self.embedder.get_text_embedding_batch([embedding_text(n) for n in nodes])
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector
        return nodes


def _translate_foreign(store: IndexStore, settings: Settings, articles: Sequence[Article], roots: Sequence[Path],
                       companions: Companions, report: IndexReport, progress: Progress | None) -> None:
    """Give every indexed article in another language a translated companion for each chunk.

    Runs over unchanged articles too, so an article whose translation failed or was killed last
    time gets it now (the translator's cache keeps what was already made). A failing LLM leaves
    the article searchable in its own language and says so; the next run tries again.
    """
    if store.translations is None:
        return
    have = store.translations.counts(settings.index_language)
    splitter = splitter_for(settings)
    todo = []
    for article in articles:
        if needs_translation(article.language, settings):
            nodes = chunk_article(article, splitter, _root_for(article, roots))
            if have.get((article.doc_id, article.content_hash), 0) < len(nodes):
                todo.append((article, nodes))
    total, done = sum(len(nodes) for _, nodes in todo), 0
    started = time.perf_counter()
    for article, nodes in todo:
        if progress:
            progress(done, total)
        try:
            store.translations.add(companions.nodes(nodes))
        except (LLMError, TranslationError) as exc:
            log.warning("could not translate %s: %s", article.doc_id, exc)
            report.notes.append(f"{article.doc_id} could not be translated ({exc}); it is searchable in its own "
                                "language, and the next `rag index` tries again")
            break
        done += len(nodes)
        report.translated.append(article.doc_id)
    if progress and total:
        progress(done, total)
    report.chunks_translated = done
    report.translation_seconds = round(time.perf_counter() - started, 2)


def _root_for(article: Article, roots: Sequence[Path]) -> str:
    """The scanned folder an article came from (for a file named alone, its folder), which scopes
    later removals."""
    path = Path(article.path).resolve()
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return str(root)
    return str(path.parent)


def watch_folders(settings: Settings, folders: Sequence[Path], on_report: Callable[[IndexReport], None], *,
                  stop: threading.Event | None = None, debounce_ms: int = 1500,
                  embedder: BaseEmbedding | None = None, aux_embedder: BaseEmbedding | None = None) -> None:
    """Keep the index in step with `folders`: index once, then again after each burst of changes.

    `watchfiles` groups the events of a burst (a copy of many files, an editor's save dance)
    into one batch after `debounce_ms` of quiet, so a batch costs one incremental run, which
    embeds only what changed. Returns when `stop` is set (or on Ctrl-C, from watchfiles).
    """
    from watchfiles import watch

    embedder = embedder or make_embedding(settings)
    aux_embedder = aux_embedder or make_aux_embedding(settings)
    translator = Translator(settings) if settings.translate_articles else None  # one LLM for every run

    def run() -> None:
        on_report(index_paths(settings, folders, embedder=embedder, aux_embedder=aux_embedder, translator=translator))

    run()
    def relevant(_change: object, path: str) -> bool:
        return Path(path).name == MANIFEST_NAME or Path(path).suffix.lower() in SUPPORTED_SUFFIXES

    for _changes in watch(*folders, watch_filter=relevant, debounce=debounce_ms, stop_event=stop,
                          rust_timeout=500, yield_on_timeout=False):
        run()
