"""Managing the article collection from the chat page or an API: list, add uploads, remove.

Uploaded files are copied into the articles folder (so a later `rag index` keeps them) under a
safe name, checked like any article, and indexed incrementally: only they are embedded.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from llama_index.core.embeddings import BaseEmbedding

from rag.documents import SUPPORTED_SUFFIXES, ArticleError, read_article_text
from rag.errors import RagError
from rag.indexing import Progress, holding, index_lock, index_paths
from rag.schema import IndexReport, StoredDocument
from rag.settings import Settings
from rag.store import IndexStore


class LibraryError(RagError, ValueError):
    """A refused change to the collection, explained in one line."""


@dataclass(frozen=True)
class Upload:
    name: str
    path: Path


def safe_name(name: str) -> str:
    """A file name that cannot escape the articles folder or hide as a dotfile."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name).strip()
    base = re.sub(r"[\x00-\x1f/]", "", base).lstrip(".")
    suffix = Path(base).suffix
    if not base or suffix.lower() not in SUPPORTED_SUFFIXES:
        raise LibraryError(f"{name!r}: only {', '.join(SUPPORTED_SUFFIXES)} articles can be added")
    return shortened(base[: -len(suffix)], suffix)


NAME_BYTES = 200  # file systems allow 255 bytes a name; some room for the folder's own suffixes


def shortened(stem: str, suffix: str) -> str:
    """`stem + suffix` cut to `NAME_BYTES` bytes of UTF-8, the suffix kept and no character split.
    A long name cut by characters used to lose its extension (so nothing was indexed) or, in a
    multibyte script, still exceed the file system's limit (a 500)."""
    budget = NAME_BYTES - len(suffix.encode())
    encoded = stem.encode()[:budget]
    return encoded.decode("utf-8", errors="ignore").rstrip() + suffix


def list_articles(settings: Settings) -> list[StoredDocument]:
    store = IndexStore.open(settings)
    return sorted(store.documents().values(), key=lambda d: d.doc_id)


def add_articles(settings: Settings, uploads: list[Upload], *, embedder: BaseEmbedding | None = None,
                 aux_embedder: BaseEmbedding | None = None, progress: Progress | None = None) -> IndexReport:
    """Check, copy and index uploaded files. A bad file is reported and the others still go in."""
    if not uploads:
        raise LibraryError("choose one or more .txt, .md or .html files first")
    accepted: list[tuple[Upload, str]] = []
    refused: list[dict[str, str]] = []
    for upload in uploads:
        try:
            name = safe_name(upload.name)
            read_article_text(upload.path)
        except (ArticleError, LibraryError) as exc:
            refused.append({"path": upload.name, "reason": str(exc).removeprefix(f"{upload.name!r}: ")})
            continue
        accepted.append((upload, name))
    if not accepted:
        raise LibraryError("; ".join(f"{r['path']}: {r['reason']}" for r in refused))
    folder = Path(settings.articles_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for upload, name in accepted:
        shutil.copyfile(upload.path, folder / name)
    report = index_paths(settings, [folder], embedder=embedder, aux_embedder=aux_embedder, progress=progress)
    report.skipped = refused + report.skipped
    return report


def remove_article(settings: Settings, doc_id: str) -> None:
    """Drop an article's passages from the index and its file from the articles folder."""
    with holding(index_lock(settings), on_wait=lambda: None):
        store = IndexStore.open(settings)
        documents = store.documents()
        if doc_id not in documents:
            raise LibraryError(f"no indexed article {doc_id!r}")
        store.delete_document(doc_id)
        store.touch()
    folder = Path(settings.articles_dir).resolve()
    doc = documents[doc_id]
    if doc.root and Path(doc.root) != folder:
        return  # indexed from another folder: that folder is not ours to change
    path = folder / (doc.relpath or doc_id)
    if path.resolve().is_relative_to(folder) and path.is_file() and not path.is_symlink():
        path.unlink()
