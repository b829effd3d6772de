from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.documents import ArticleError, decode_bytes, read_article_text, scan


def test_bundled_corpus_reads_with_manifest_metadata() -> None:
    from tests.fixtures.settings import BUNDLED

    result = scan([BUNDLED])
    assert not result.skipped
    assert [a.source for a in result.articles] == sorted(p.name for p in BUNDLED.glob("*.txt"))
    indonesian = next(a for a in result.articles if a.source == "000_b04c980d226a749c.txt")
    assert indonesian.language == "id"
    assert indonesian.outlet.startswith("ANTARA")
    assert indonesian.published == "2023-01"
    assert indonesian.doc_id == "000_b04c980d226a749c.txt"
    assert len(indonesian.content_hash) == 64


def test_doc_id_is_relative_path_and_title_falls_back_to_first_line(tmp_path: Path) -> None:
    (tmp_path / "sub dir").mkdir()
    (tmp_path / "sub dir" / "Ünïcode name.md").write_text("\n\n  A headline here  \nBody text.\n", encoding="utf-8")
    [article] = scan([tmp_path]).articles
    assert article.doc_id == "sub dir/Ünïcode name.md"
    assert article.source == "Ünïcode name.md"
    assert article.title == "A headline here"


@pytest.mark.parametrize(
    "data,expected",
    [
        ("Café in Montréal".encode("latin-1"), "Café in Montréal"),
        ("\ufeffBOM utf-8 é".encode(), "BOM utf-8 é"),
        ("UTF-16 ülkë".encode("utf-16"), "UTF-16 ülkë"),
        (b"plain ascii", "plain ascii"),
    ],
)
def test_decoding(data: bytes, expected: str) -> None:
    assert decode_bytes(data) == expected


def test_binary_and_empty_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A real article about Ottawa.")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.md").write_text("   \n\t\n")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    result = scan([tmp_path])
    assert [a.source for a in result.articles] == ["good.txt"]
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert "binary" in reasons["image.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "empty" in reasons["blank.md"]
    assert "notes.pdf" not in reasons  # unsupported types are simply not articles


def test_html_is_reduced_to_article_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><script>var tracking = 'evil';</script><style>p{}</style></head><body>"
        "<nav>Home | About</nav><article><h1>Minister visits Kyiv</h1>"
        "<p>The foreign minister visited the Wall of Remembrance in Kyiv on Tuesday, her office said.</p>"
        "<p>She met her Ukrainian counterpart for a joint press conference later that day.</p></article>"
        "</body></html>"
    )
    text = read_article_text(page)
    assert "Wall of Remembrance" in text
    assert "tracking" not in text and "<p>" not in text


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    with pytest.raises(ArticleError, match="too large"):
        read_article_text(big, max_bytes=1000)


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "story.txt").write_text("Story text.")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    assert [a.source for a in scan([tmp_path]).articles] == ["story.txt"]


def test_broken_manifest_is_reported_and_articles_still_index(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    (tmp_path / "a.txt").write_text("Text a.")
    (tmp_path / "b.txt").write_text("Text b.")
    result = scan([tmp_path])
    assert [a.source for a in result.articles] == ["a.txt", "b.txt"]
    assert [Path(s.path).name for s in result.skipped] == ["manifest.json"]
    assert "unreadable manifest" in result.skipped[0].reason


def test_manifest_metadata_is_applied(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Body.")
    (tmp_path / "manifest.json").write_text(json.dumps({"a.txt": {"title": "T", "outlet": "O", "language": "fr",
                                                                  "published": "2024-05-01"}}))
    [a] = scan([tmp_path]).articles
    assert (a.title, a.outlet, a.language, a.published) == ("T", "O", "fr", "2024-05-01")


def test_missing_path_is_reported() -> None:
    result = scan([Path("/nonexistent/folder")])
    assert result.skipped[0].reason == "does not exist"
