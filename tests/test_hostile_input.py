"""Article folders, uploads and settings as a careless operator or a hostile user leaves them.

Each test reproduces a fault found by probing (docs/reliability.md) on the real index with the
bundled e5 model (fusion off, for speed: nothing here depends on the second model).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag import documents
from rag.cli import app
from rag.embeddings import E5Embedding
from rag.indexing import index_paths
from rag.library import Upload, add_articles, remove_article
from rag.store import IndexStore
from tests.fixtures.settings import make_settings

runner = CliRunner()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_same_file_name_in_two_folders_stays_two_stable_articles(tmp_path: Path, e5: E5Embedding) -> None:
    """`story.txt` in two folders used to be one article, re-embedded as "updated" on every run,
    and `rag index A` then `rag index B` silently replaced A's article."""
    a, b = tmp_path / "alpha", tmp_path / "beta"
    write(a, "story.txt", "Ottawa announced sanctions on 14 Russian banks on Friday.\n")
    write(b, "story.txt", "Berlin pledged 40 tanks to Ukraine on Tuesday, the minister said.\n")
    settings = make_settings(tmp_path, fusion="none")
    first = index_paths(settings, [a, b], embedder=e5)
    assert sorted(first.added) == ["beta/story.txt", "story.txt"]
    again = index_paths(settings, [a, b], embedder=e5)
    assert not again.changed and sorted(again.unchanged) == ["beta/story.txt", "story.txt"]
    index_paths(settings, [a], embedder=e5)
    only_b = index_paths(settings, [b], embedder=e5)
    assert not only_b.changed, "indexing B alone must not replace A's article"
    documents_ = IndexStore.open(settings).documents()
    assert {d.source for d in documents_.values()} == {"story.txt"}  # the source stays the file name
    assert "14 Russian banks" in IndexStore.open(settings).chunk_texts("story.txt", documents_["story.txt"]
                                                                       .content_hash, [0])[0]


def test_symlinks_in_an_articles_folder_are_not_followed(tmp_path: Path, e5: E5Embedding) -> None:
    """`articles/leak.txt -> /etc/passwd` used to be indexed (and come back after removal)."""
    folder = tmp_path / "articles"
    write(folder, "real.txt", "Canada sanctioned 22 officials on Monday.\n")
    secret = write(tmp_path / "outside", "secret.txt", "root:x:0:0:root:/root:/bin/bash\n")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    report = index_paths(make_settings(tmp_path, fusion="none"), [folder], embedder=e5)
    assert report.added == ["real.txt"]
    reasons = {Path(s["path"]).name: s["reason"] for s in report.skipped}
    assert "symbolic link" in reasons["leak.txt"] and "symbolic link" in reasons["passwd.txt"]


def test_long_upload_names_keep_their_extension(tmp_path: Path, e5: E5Embedding) -> None:
    """Names over 200 characters were cut, losing `.txt` (201, nothing indexed, an orphan file);
    over 255 bytes of multibyte characters: a 500."""
    folder = tmp_path / "articles"
    folder.mkdir()
    settings = make_settings(tmp_path, articles_dir=folder, fusion="none")
    body = write(tmp_path / "in", "body.txt", "Kyiv received 12 generators on Monday.\n")
    names = ["a" * 300 + ".txt", "é" * 300 + ".md", "Ж" * 140 + ".html"]
    report = add_articles(settings, [Upload(n, body) for n in names], embedder=e5)
    stored = sorted(p.name for p in folder.iterdir())
    assert len(stored) == 3 and all(len(n.encode()) <= 200 for n in stored)
    assert {Path(n).suffix for n in stored} == {".txt", ".md", ".html"}
    indexed = report.added + [d["doc_id"] for d in report.duplicates]
    assert sorted(indexed) == stored, "every stored file is an indexed article"
    remove_article(settings, report.added[0])  # and the API can delete what it stored
    assert report.added[0] not in {p.name for p in folder.iterdir()}


def test_one_article_whose_parser_fails_does_not_abort_the_run(tmp_path: Path, e5: E5Embedding,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "articles"
    write(folder, "fine.txt", "Canada sanctioned 22 officials on Monday.\n")
    write(folder, "strange.html", "<html><body><p>odd</p></body></html>")
    real = documents.html_to_text

    def failing(html: str) -> str:
        if "odd" in html:
            raise RecursionError("maximum recursion depth exceeded")  # what a parser may throw
        return real(html)

    monkeypatch.setattr(documents, "html_to_text", failing)
    report = index_paths(make_settings(tmp_path, fusion="none"), [folder], embedder=e5)
    assert report.added == ["fine.txt"]
    assert "RecursionError" in report.skipped[0]["reason"]


def test_html_cleaning_dependency_is_installed() -> None:
    """trafilatura needs lxml's HTML cleaner, which recent lxml no longer bundles."""
    import lxml_html_clean  # noqa: F401 - the import is the check

    assert "Odesa" in documents.html_to_text("<html><body><article><p>The port of Odesa reopened for twelve "
                                             "grain ships on Monday, officials said.</p></article></body></html>")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("env", "expected"), [
    ({"OPENAI_BASE_URL": "http://[::1"}, "not a valid URL"),
    ({"RAG_LLM_TIMEOUT": "inf"}, "finite"),
    ({"RAG_CONFIG": "BAD_TOML"}, "bad.toml cannot be read"),
])
def test_bad_settings_are_one_line_errors(env: dict[str, str], expected: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.toml").write_text("top_k = [\n")
    for name, value in env.items():
        monkeypatch.setenv(name, str(tmp_path / "bad.toml") if value == "BAD_TOML" else value)
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_embedding_endpoint_down_is_one_line(tmp_path: Path, articles: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_EMBEDDING", "openai:text-embedding-3-small")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_FUSION", "none")
    for command in (["index", str(articles)], ["ask", "Who is Russia's ambassador to Canada?"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert "cannot reach the embeddings endpoint" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_busy_port_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for command in ("ui", "serve"):
            result = runner.invoke(app, [command, "--port", str(port)])
            assert result.exit_code == 2 and "cannot listen on" in result.output, result.output
