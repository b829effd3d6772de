"""Turning files on disk into `Article`s: discovery, decoding, metadata, and stable identity.

Article files are untrusted: any of them may be empty, binary, oddly encoded or huge. Each
problem becomes a `Skipped` entry with a one-line reason, so one bad file never stops a folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import RagError
from rag.furniture import strip_furniture
from rag.language import detect
from rag.schema import Article

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
MANIFEST_NAME = "manifest.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
METADATA_FIELDS = ("title", "outlet", "language", "published")


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class Scan:
    """The result of reading a set of paths: articles plus what was skipped and why."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class ArticleError(RagError, ValueError):
    """A file that cannot become an article; the message is shown to the user as is."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_bytes(data: bytes) -> str:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 by BOM, else detected.

    Binary data (NUL bytes outside UTF-16, or no plausible encoding) is refused rather than
    indexed as mojibake that would pollute retrieval.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ArticleError("looks like UTF-16 but does not decode") from exc
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ArticleError("binary or undecodable file: no text encoding fits")
    return str(best)


def html_to_text(html: str) -> str:
    """Extract the article body from HTML, dropping scripts, navigation and boilerplate."""
    import trafilatura

    extracted = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if extracted:
        return str(extracted)
    return html_fragment_text(html)


def html_fragment_text(html: str) -> str:
    """The text of HTML that trafilatura does not consider an article, scripts and styles dropped.

    Parsed by lxml (linear time), not stripped with regexes: tag-stripping patterns backtrack
    quadratically on a run of unclosed `<script` or `<`, which froze the server on one upload.
    """
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):  # nothing parseable: no markup worth stripping
        return html
    lxml.etree.strip_elements(root, "script", "style", "noscript", lxml.etree.Comment, with_tail=False)
    return " ".join(root.itertext())


def normalise_text(text: str) -> str:
    """Unify newlines and trim trailing spaces; keep paragraph breaks, which chunking uses.

    Line by line rather than with a `[^\\S\\n]+\\n` pattern, which is quadratic in a run of spaces.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def read_article_text(path: Path, max_bytes: int = MAX_FILE_BYTES, *, strip: bool = False) -> str:
    """The article's text, decoded and normalised; `strip`: without site furniture (`rag.furniture`)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device named .txt would block or never end
        raise ArticleError("not a regular file")
    size = info.st_size
    if size > max_bytes:
        raise ArticleError(f"too large ({size / 2**20:.1f} MiB > {max_bytes / 2**20:.0f} MiB limit)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror or exc}") from exc
    text = decode_bytes(data)
    if path.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    text = normalise_text(text)
    if strip:
        text = strip_furniture(text)
    if not text:
        raise ArticleError("empty (no text after decoding)")
    return text


def load_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """Metadata per file name from `manifest.json`; a broken manifest is an error, not silence."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArticleError(f"unreadable manifest ({exc}); articles indexed without its metadata") from exc
    if not isinstance(raw, dict):
        raise ArticleError("manifest must map file names to metadata objects; ignored")
    out: dict[str, dict[str, str]] = {}
    for name, meta in raw.items():
        if isinstance(meta, dict):
            out[str(name)] = {k: str(meta[k]) for k in METADATA_FIELDS if meta.get(k) is not None}
    return out


def guess_title(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:120] + ("…" if len(first) > 120 else "")


LINK_REASON = "symbolic link, not followed (it could lead anywhere on the machine); copy the article in instead"


def discover(root: Path) -> Iterator[Path]:
    """Supported files below `root`, sorted, never following directory symlinks (no loops).

    File symlinks are listed too, so that `scan` can report them as skipped rather than ignore
    them in silence.
    """
    if root.is_file():
        yield root
        return
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(SUPPORTED_SUFFIXES):
                found.append(Path(dirpath) / name)
    yield from sorted(found)


_DATELINE = re.compile(r"\b(20\d\d|19\d\d)-(0[1-9]|1[0-2])-([0-2]\d|3[01])\b"
                       r"|\b([A-Z][a-z]+) (\d{1,2}), (20\d\d|19\d\d)\b"
                       r"|\b(\d{1,2}) ([A-Z][a-z]+) (20\d\d|19\d\d)\b")
_MONTH_NUMBERS = {name: i for i, name in enumerate(
    "January February March April May June July August September October November December".split(), start=1)}


def written_date(text: str) -> str:
    """The first full date in an article's opening lines (a dateline: "March 17, 2014",
    "17 March 2014", "2014-03-17") as YYYY-MM-DD, or ""."""
    match = _DATELINE.search(text[:600])
    if not match:
        return ""
    if match.group(1):
        return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    month_name, day, year = (match.group(4), match.group(5), match.group(6)) if match.group(4) else (
        match.group(8), match.group(7), match.group(9))
    month = _MONTH_NUMBERS.get(month_name)
    return f"{year}-{month:02d}-{int(day):02d}" if month and 1 <= int(day) <= 31 else ""


def html_date(path: Path) -> str:
    """The publication date an HTML article declares (meta tags, JSON-LD, time elements), by htmldate."""
    try:
        from htmldate import find_date

        found = find_date(decode_bytes(path.read_bytes()), extensive_search=False, original_date=True)
    except Exception:  # a date is a nicety: never a reason to skip the article
        return ""
    return str(found or "")


def publication_date(path: Path, text: str, meta: dict[str, str]) -> str:
    """The manifest's date, else the one an HTML page declares, else a dateline in the text.
    Never the file's own time: that is when it was saved, and would pass for a publication date
    in the sources panel and in "the most recent" questions."""
    if meta.get("published"):
        return meta["published"]
    if path.suffix.lower() in (".html", ".htm") and (declared := html_date(path)):
        return declared
    return written_date(text)


def make_article(path: Path, doc_id: str, meta: dict[str, str], *, strip: bool = False) -> Article:
    text = read_article_text(path, strip=strip)
    return Article(
        doc_id=doc_id,
        source=path.name,
        text=text,
        content_hash=content_hash(text),
        title=meta.get("title") or guess_title(text),
        outlet=meta.get("outlet", ""),
        language=meta.get("language") or detect(text[:5000]),
        published=publication_date(path, text, meta),
        path=str(path),
    )


def scan(roots: Iterable[Path], *, strip: bool = False) -> Scan:
    """Read every supported article below the given folders or files (`strip`: their site furniture
    dropped, the `strip_furniture` setting)."""
    result = Scan()
    for root in roots:
        if not root.exists():
            result.skipped.append(Skipped(str(root), "does not exist"))
            continue
        base = root.parent if root.is_file() else root
        manifests: dict[Path, dict[str, dict[str, str]]] = {}
        for path in discover(root):
            folder = path.parent
            if folder not in manifests:
                try:
                    manifests[folder] = load_manifest(folder)
                except ArticleError as exc:  # the articles still index, without the metadata
                    manifests[folder] = {}
                    result.skipped.append(Skipped(str(folder / MANIFEST_NAME), str(exc)))
            if path.is_symlink() and path != root:
                result.skipped.append(Skipped(str(path), LINK_REASON))
                continue
            try:
                doc_id = path.relative_to(base).as_posix()
                result.articles.append(make_article(path, doc_id, manifests[folder].get(path.name, {}),
                                                     strip=strip))
            except ArticleError as exc:
                result.skipped.append(Skipped(str(path), str(exc)))
            except Exception as exc:  # a parser's own failure on a strange file: skip it, keep the run
                result.skipped.append(Skipped(str(path), f"could not be read ({type(exc).__name__}: {exc})"[:300]))
    return result
