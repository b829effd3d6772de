from __future__ import annotations

from pathlib import Path

import pytest

from rag.embeddings import E5Embedding, USEEmbedding
from rag.indexing import index_paths
from rag.library import LibraryError, Upload, add_articles, list_articles, remove_article, safe_name
from tests.fixtures.settings import make_settings


@pytest.mark.parametrize(
    "name,expected",
    [
        ("story.txt", "story.txt"),
        ("../../etc/evil.md", "evil.md"),
        ("C:\\\\dir\\\\win.html", "win.html"),
        (".hidden.txt", "hidden.txt"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["virus.exe", "notes", "..", ""])
def test_unsupported_names_are_refused(name: str) -> None:
    with pytest.raises(LibraryError):
        safe_name(name)


def test_add_good_and_bad_uploads_then_remove(
    tmp_path: Path, articles: Path, e5: E5Embedding, use: USEEmbedding
) -> None:
    settings = make_settings(tmp_path, articles_dir=articles)
    index_paths(settings, embedder=e5, aux_embedder=use)
    good = tmp_path / "upload1"
    good.write_text("Kyiv hosted a grain summit on Friday.")
    bad = tmp_path / "upload2"
    bad.write_bytes(b"\x00\x01binary")
    report = add_articles(
        settings,
        [Upload("grain.txt", good), Upload("pic.txt", bad), Upload("x.exe", good)],
        embedder=e5,
        aux_embedder=use,
    )
    assert report.added == ["grain.txt"]
    assert {s["path"] for s in report.skipped} == {"pic.txt", "x.exe"}
    assert (articles / "grain.txt").is_file() and not (articles / "pic.txt").exists()
    assert "grain.txt" in [d.doc_id for d in list_articles(settings)]

    remove_article(settings, "grain.txt")
    assert "grain.txt" not in [d.doc_id for d in list_articles(settings)]
    assert not (articles / "grain.txt").exists()  # a later `rag index` will not bring it back
    with pytest.raises(LibraryError, match="no indexed article"):
        remove_article(settings, "grain.txt")
    with pytest.raises(LibraryError, match="binary"):
        add_articles(settings, [Upload("pic.txt", bad)], embedder=e5, aux_embedder=use)


def test_a_running_reader_finds_an_article_added_later(
    tmp_path: Path, articles: Path, e5: E5Embedding, use: USEEmbedding
) -> None:
    """The page's retriever stays open while uploads are indexed. chromadb's shared system is
    what makes the writer's new vectors visible to it, and that sharing used to break when
    anything in the process emptied chromadb's client cache, or when the folder was spelt
    another way (here: relative to the working folder, which the tests set to tmp_path)."""
    from chromadb.api.client import SharedSystemClient

    from rag.retrieval import Retriever
    from rag.store import IndexStore

    settings = make_settings(tmp_path, articles_dir=articles)
    index_paths(settings, embedder=e5, aux_embedder=use)
    reader = Retriever(IndexStore.open(settings), e5, 4, use)
    assert reader.retrieve("Trudeau military aid")[0].source.endswith(".txt")
    SharedSystemClient.clear_system_cache()  # as another library in the same process may do
    story = tmp_path / "odesa grain.txt"
    story.write_text("Odesa port reopens for grain ships\nThe port of Odesa reopened on Monday for twelve "
                     "grain ships carrying sunflower oil to Istanbul, officials said.\n")
    respelt = make_settings(tmp_path, articles_dir=articles, index_dir=Path("index"))
    add_articles(respelt, [Upload(story.name, story)], embedder=e5, aux_embedder=use)
    found = reader.retrieve("How many grain ships did the port of Odesa reopen for?")
    assert found[0].source == "odesa grain.txt"
