"""The Chroma collection that holds the chunks, and the facts recorded about how it was built.

The collection's metadata records the embedding model, its dimension and the chunking settings.
Every reader checks them first: an index built another way must be rebuilt, never half-trusted.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from llama_index.core.schema import TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.errors import RagError
from rag.generations import aux_name, drop_others, live_name, new_name, point_to, translations_name
from rag.schema import StoredDocument, chunk_id
from rag.settings import Settings
from rag.translated import TranslationStore
from rag.vectors import Hit, chunk_texts_by_id, id_pages, metadatas_by_id, nearest

__all__ = ["BuildInfo", "Hit", "IndexStore", "StoreError"]

SCHEMA_VERSION = 3  # 3: passages embedded with their article's title, date and outlet

# One embedded client per index folder for the whole process (a shared resource, like chromadb's
# own cache, which it replaces for us; see `embedded_client`).
_EMBEDDED: dict[str, Any] = {}
_EMBEDDED_LOCK = threading.Lock()


class StoreError(RagError, RuntimeError):
    """The index cannot be used as it is; the message names the fix."""


class IndexMissingError(StoreError):
    pass


class IndexMismatchError(StoreError):
    pass


@dataclass(frozen=True)
class BuildInfo:
    """How an index was built; two indexes with different BuildInfo are not interchangeable."""

    embedding_model: str
    embedding_dim: int
    chunk_size: int
    chunk_overlap: int
    aux_model: str = ""

    def as_metadata(self) -> dict[str, Any]:
        return {
            "embedding_model": self.embedding_model,
            "embedding_dim": self.embedding_dim,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "aux_model": self.aux_model,
            "schema": SCHEMA_VERSION,
        }





def open_client(settings: Settings, *, create: bool) -> Any:
    """A Chroma client: HTTP when `chroma_url` is set, else embedded at `index_dir`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # chromadb raises several unrelated types for "not there"
            raise IndexMissingError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
                "is `chroma run` up? check RAG_CHROMA_URL"
            ) from exc
        return client
    path = Path(settings.index_dir)
    if not create and not (path / "chroma.sqlite3").is_file():
        raise IndexMissingError(f"no index at {path}; build it with `rag index`")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the index folder {path}: {exc.strerror or exc}") from exc
    try:
        return embedded_client(path, chroma_settings)
    except Exception as exc:
        if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
            raise StoreError(f"the index at {path} is read-only, and Chroma must write to open it: give this "
                             "user write access to the folder, or copy it somewhere writable and point "
                             "RAG_INDEX_DIR there") from exc
        raise StoreError(
            f"the index at {path} cannot be opened ({type(exc).__name__}: {exc}); "
            "rebuild it with `rag index --rebuild`"
        ) from exc


def embedded_client(path: Path, chroma_settings: Any) -> Any:
    """The process's one client for the index at `path`, held here.

    A reader and a writer of one folder on two chromadb systems do not see each other's new
    vectors (each keeps its own HNSW graph in memory): an article uploaded through the page would
    be listed but never found. chromadb shares a system per folder only while its own cache holds
    it, keyed by the folder's spelling, and anyone in the process may empty that cache
    (`clear_system_cache()`); ours is keyed by the resolved folder and emptied only by
    `forget_embedded_clients`."""
    import chromadb

    key = str(path.resolve())
    with _EMBEDDED_LOCK:
        client = _EMBEDDED.get(key)
        if client is None:
            client = chromadb.PersistentClient(path=key, settings=chroma_settings)
            _EMBEDDED[key] = client
        return client


def forget_embedded_clients() -> None:
    """Drop every cached embedded client, ours and chromadb's: the next open reads the folder
    afresh (after a broken index is moved aside, or to act as a new process would)."""
    from chromadb.api.client import SharedSystemClient

    with _EMBEDDED_LOCK:
        _EMBEDDED.clear()
        SharedSystemClient.clear_system_cache()


class IndexStore:
    """A Chroma collection of article chunks (via LlamaIndex's `ChromaVectorStore`), plus a
    companion collection with the same ids holding the second model's vectors for fusion."""

    def __init__(self, client: Any, collection: Any, aux: Any | None = None, translated: Any | None = None) -> None:
        self.client = client
        self.collection = collection
        self.name = str(collection.name)
        self.aux = aux
        self.vector_store = ChromaVectorStore(chroma_collection=collection)
        # translations of the chunks of articles in another language (absent in older indexes)
        self.translations = TranslationStore(translated) if translated is not None else None

    @classmethod
    def open(cls, settings: Settings, expected: BuildInfo | None = None) -> IndexStore:
        """Open an existing index for reading, checking it was built the way `expected` says."""
        client = open_client(settings, create=False)
        name = live_name(client, settings.collection)
        try:
            collection = client.get_collection(name)
        except Exception as exc:
            raise IndexMissingError(
                f"the index has no collection {settings.collection!r}; build it with `rag index`"
            ) from exc
        aux = None
        if (collection.metadata or {}).get("aux_model"):
            try:
                aux = client.get_collection(aux_name(name))
            except Exception as exc:
                raise IndexMismatchError("the index is missing its fusion vectors; rebuild it with "
                                         "`rag index --rebuild`") from exc
        translated = None
        with contextlib.suppress(Exception):  # an index built before translations has none
            translated = client.get_collection(translations_name(name))
        store = cls(client, collection, aux, translated)
        if expected is not None:
            store.check(expected)
        return store

    @classmethod
    def create(cls, settings: Settings, build: BuildInfo) -> IndexStore:
        """Open the live collection for writing, creating it if needed; refuses a mismatched one."""
        client = open_client(settings, create=True)
        store = cls._make(client, live_name(client, settings.collection), build)
        store.check(build)
        return store

    @classmethod
    def create_generation(cls, settings: Settings, build: BuildInfo) -> IndexStore:
        """A new, empty collection beside the live one, for a rebuild that readers must not see
        until `publish()`. Generations left by killed rebuilds are dropped first."""
        client = open_client(settings, create=True)
        drop_others(client, settings.collection, keep=live_name(client, settings.collection))
        return cls._make(client, new_name(settings.collection), build)

    @classmethod
    def _make(cls, client: Any, name: str, build: BuildInfo) -> IndexStore:
        collection = client.get_or_create_collection(name, metadata=build.as_metadata(),
                                                     configuration={"hnsw": {"space": "cosine"}})
        aux = None
        if build.aux_model:
            aux = client.get_or_create_collection(aux_name(name), configuration={"hnsw": {"space": "cosine"}})
        translated = client.get_or_create_collection(translations_name(name),
                                                     configuration={"hnsw": {"space": "cosine"}})
        return cls(client, collection, aux, translated)

    def publish(self, settings: Settings) -> None:
        """Make this generation the live one in a single metadata write, then drop the others.

        Readers check the pointer before each question and move over at their next one; a
        question that loses the race with the drop is retried once on the new generation (see
        `Assistant.retriever`)."""
        point_to(self.client, settings.collection, self.name)
        drop_others(self.client, settings.collection, keep=self.name)

    def is_live(self, settings: Settings) -> bool:
        """Whether this is still the generation readers should use."""
        return live_name(self.client, settings.collection) == self.name

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.collection.metadata or {})

    def check(self, expected: BuildInfo) -> None:
        meta = self.metadata
        if meta.get("schema") != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"the index was built by another version of rag (schema {meta.get('schema')!r}, "
                f"this is {SCHEMA_VERSION}); rebuild it with `rag index --rebuild`"
            )
        for key, want in expected.as_metadata().items():
            have = meta.get(key)
            if have != want:
                raise IndexMismatchError(
                    f"the index was built with {key}={have!r} but the settings say {want!r}; "
                    "rebuild it with `rag index --rebuild` (or change the settings back)"
                )

    def disk_bytes(self, settings: Settings) -> int | None:
        """Size of the embedded index on disk; None for a Chroma server (not ours to measure)."""
        if settings.chroma_url:
            return None
        root = Path(settings.index_dir)
        return sum(f.stat().st_size for f in root.rglob("*") if f.is_file())

    def count(self) -> int:
        return int(self.collection.count())

    def touch(self) -> None:
        """Record the time of the last change, for `rag status`."""
        meta = self.metadata
        meta.pop("hnsw:space", None)
        meta["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.collection.modify(metadata=meta)

    def add(self, nodes: Sequence[TextNode], aux_vectors: Sequence[list[float]] | None = None) -> None:
        """Write chunks; the second model's vectors first, so no chunk is ever half-present.

        Both collections are written with `add`, never `upsert`: a chunk id names its text (doc
        id, content hash, chunk number), so an id already present already holds these vectors, and
        chromadb 1.5.9 ignores the repeat. An upsert is not harmless there: after a collection's
        first query its embedded HNSW writer forgets how far it has read the log, and the next
        write replays every upsert since the last save as an update, in parallel with the new
        vectors, which can leave a new vector unreachable in the graph (an uploaded article listed
        but never retrieved: 22 of 600 trials with this index's real vectors, 0 of 600 with add)."""
        if not nodes:
            return
        if self.aux is not None:
            if aux_vectors is None or len(aux_vectors) != len(nodes):
                raise ValueError("this index fuses two models: every chunk needs both vectors")
            self.aux.add(ids=[n.node_id for n in nodes], embeddings=[list(v) for v in aux_vectors],
                         metadatas=[{"doc_id": n.metadata["doc_id"], "content_hash": n.metadata["content_hash"]}
                                    for n in nodes])
        self.vector_store.add(list(nodes))

    def delete_where(self, where: dict[str, Any]) -> None:
        self.collection.delete(where=where)
        if self.aux is not None:
            self.aux.delete(where=where)
        if self.translations is not None:
            self.translations.delete_where(where)

    def delete_document(self, doc_id: str) -> None:
        self.delete_where({"doc_id": doc_id})

    def documents(self) -> dict[str, StoredDocument]:
        """Every indexed document with its chunk count, read without loading every chunk's metadata.

        A document can be present in several versions (a run killed between writing the new
        chunks and dropping the old) or with chunks missing (killed while writing); both are
        reported so that the next run finishes the work instead of trusting a partial article.
        Only the first chunk of each version has its metadata read; the others are counted by
        their computed ids (`chunk_id`) among all ids, which is what keeps `rag index` cheap on
        a large index. Chunks no first chunk accounts for (an orphaned part-write) are read one
        by one, as before, so they are still found and dropped.
        """
        present = set(id_pages(self.collection))
        versions: dict[str, dict[str, list[Any]]] = {}  # doc_id -> hash -> [count, expected, meta]
        accounted: set[str] = set()
        for meta in metadatas_by_id(self.collection, list(id_pages(self.collection, {"chunk": 0}))):
            doc_id, digest = str(meta.get("doc_id", "")), str(meta.get("content_hash", ""))
            expected = meta.get("chunks")
            ids = {chunk_id(doc_id, digest, c) for c in range(int(expected or 1))} & present
            accounted |= ids
            versions.setdefault(doc_id, {})[digest] = [len(ids), expected, meta]
        for meta in metadatas_by_id(self.collection, sorted(present - accounted)):
            doc_id, digest = str(meta.get("doc_id", "")), str(meta.get("content_hash", ""))
            entry = versions.setdefault(doc_id, {}).setdefault(digest, [0, meta.get("chunks"), meta])
            entry[0] += 1
        out: dict[str, StoredDocument] = {}
        for doc_id, by_hash in versions.items():
            def done(item: tuple[str, list[Any]]) -> tuple[bool, int]:
                count, expected, _ = item[1]
                return (expected is None or count >= int(expected), count)

            digest, (count, _, meta) = max(by_hash.items(), key=done)
            out[doc_id] = StoredDocument(
                doc_id=doc_id,
                source=str(meta.get("source", "")),
                title=str(meta.get("title", "")),
                outlet=str(meta.get("outlet", "")),
                language=str(meta.get("language", "")),
                published=str(meta.get("published", "")),
                content_hash=digest,
                chunks=count,
                complete=done((digest, by_hash[digest]))[0],
                other_hashes=tuple(h for h in by_hash if h != digest),
                root=str(meta.get("root", "")),
                relpath=str(meta.get("relpath") or doc_id),
            )
        return out

    def query_aux(self, embedding: list[float], k: int) -> list[str]:
        """Ids of the nearest chunks by the second model, best first."""
        if self.aux is None or k <= 0:
            return []
        result = self.aux.query(query_embeddings=[embedding], n_results=k, include=[])
        return list(result["ids"][0])

    def fetch(self, ids: Sequence[str], embedding: list[float]) -> list[Hit]:
        """Chunks by id, scored by cosine against `embedding` (unit vectors: a dot product)."""
        if not ids:
            return []
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        hits: list[Hit] = []
        for node_id, text, meta, vector in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"],
                                               strict=True):
            node = TextNode(id_=node_id, text=text or "", metadata=dict(meta or {}))
            cosine = sum(a * b for a, b in zip(vector, embedding, strict=True))
            hits.append(Hit(node=node, score=round(float(cosine), 4)))
        return hits

    def chunk_texts(self, doc_id: str, content_hash: str, chunks: Sequence[int]) -> dict[int, str]:
        """Texts of the given chunk numbers of one version of an article (absent ones left out), by id."""
        return chunk_texts_by_id(self.collection, doc_id, content_hash, chunks)

    def article_text(self, doc_id: str, content_hash: str, chunks: int = 0) -> str:
        """One version of an article, its chunks in order (overlaps left in: for matching, not reading).

        With its chunk count (from a passage's metadata) the chunks are fetched by id; without, by
        a metadata filter (slower on a large index)."""
        if chunks > 0:
            texts = self.chunk_texts(doc_id, content_hash, range(chunks))
            return "\n".join(texts[c] for c in sorted(texts))
        got = self.collection.get(where={"$and": [{"doc_id": doc_id}, {"content_hash": content_hash}]},
                                  include=["documents", "metadatas"])
        ordered = sorted(zip(got["metadatas"] or [], got["documents"] or [], strict=True),
                         key=lambda pair: int((pair[0] or {}).get("chunk", 0)))
        return "\n".join(text or "" for _, text in ordered)

    def name_form(self, word: str) -> str | None:
        """How the articles write a lower-case `word` when they write it only as a name
        ("okhmatdyt" -> "Okhmatdyt", "nato" -> "NATO"): some passage has it capitalised and none in
        lower case. Chroma's full-text `$contains` is case-sensitive, so two or three lookups tell."""
        if self._contains(f" {word}"):
            return None
        return next((form for form in (word.capitalize(), word.upper()) if self._contains(form)), None)

    def written_as_place(self, name: str) -> bool:
        """Whether the articles write `name` as a place: after " in ", then a space or a stop ("in
        Kyiv,", "in Crimea "; not "Justin Trudeau", not "in Trudeau's"). A "him" of a conversation
        does not stand for it (holdout8 b037: the model picked "Crimea" for "him"). One to three
        lookups."""
        return any(self._contains(f" in {name}{end}") for end in (" ", ",", "."))

    def opening_vector(self, doc_id: str, content_hash: str) -> list[float] | None:
        """The embedding of one version of an article's first chunk (its lede), of its stored
        translation when it has one, so that two reports in different languages compare; None
        when the chunk is absent."""
        node_id = chunk_id(doc_id, content_hash, 0)
        for collection in ([self.translations.collection] if self.translations is not None else []) + [self.collection]:
            got = collection.get(ids=[node_id], include=["embeddings"])
            vectors = got.get("embeddings")
            if got["ids"] and vectors is not None and len(vectors):
                return [float(x) for x in vectors[0]]
        return None

    def _contains(self, text: str) -> bool:
        got = self.collection.get(where_document={"$contains": text}, limit=1, include=[])
        return bool(got["ids"])

    def query(self, embedding: list[float], k: int, published: tuple[int, int] | None = None,
              since: int | None = None) -> list[Hit]:
        """The `k` nearest passages; with `published` (year, month or 0), only those of articles
        published then, with `since` (a year) those published that year or later (Chroma's
        metadata filter on the `year`/`month` the indexer stores)."""
        return nearest(self.vector_store, embedding, k, published, since)

