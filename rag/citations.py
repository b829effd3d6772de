"""Citations in what the model wrote: renumbered by first use as the answer streams, and kept
only where the cited passage backs the sentence (`CitationChecker`), repaired where a passage
clearly does. Deciding whether the answer is shown at all is `rag.draft`.

Nothing here does I/O, so every rule that decides which sources count as cited is a plain
function with plain tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.prompts import CITATION
from rag.schema import Citation
from rag.wording import SUPPORT_MIN, Vocabulary, content_tokens, shares_anchor, split_sentences

# Possessive quantifiers: the spaces around a comma could otherwise be split between two
# `\s*` in exponentially many ways ("[1, , , , x" froze the process). A real citation is short,
# so text held back as a possible citation is also capped at `_PREFIX_MAX` characters.
_CITATION_PREFIX = re.compile(
    r"\[(?:s(?:o(?:u(?:r(?:c(?:e)?)?)?)?)?\s*+)?(?:\d{1,3}+(?:\s*+,\s*+(?:source\s*+)?\d{0,3}+)*+)?$", re.IGNORECASE
)
_PREFIX_MAX = 40


class CitationRenumberer:
    """Streams model text while renumbering `[k]` into `[n]` by first use, dropping bad numbers.

    Text that might be the start of a citation is held back until it is known, so a reader of
    the stream never sees the model's raw numbering.
    """

    def __init__(self, n_sources: int) -> None:
        self.n_sources = n_sources
        self.order: list[int] = []  # 0-based source indexes, in order of first citation
        self._pending = ""

    def _number(self, source_index: int) -> int:
        if source_index not in self.order:
            self.order.append(source_index)
        return self.order.index(source_index) + 1

    def _render(self, match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        valid = [k - 1 for k in numbers if 1 <= k <= self.n_sources]
        out = []
        for idx in dict.fromkeys(valid):
            out.append(f"[{self._number(idx)}]")
        return "".join(out)

    def feed(self, delta: str) -> str:
        self._pending += delta
        out = []
        while self._pending:
            start = self._pending.find("[")
            if start < 0:
                out.append(self._pending)
                self._pending = ""
                break
            out.append(self._pending[:start])
            rest = self._pending[start:]
            match = CITATION.match(rest)
            if match:
                out.append(self._render(match))
                self._pending = rest[match.end():]
                continue
            if len(rest) <= _PREFIX_MAX and _CITATION_PREFIX.match(rest):
                self._pending = rest  # may still become a citation: wait for more text
                break
            out.append("[")
            self._pending = rest[1:]
        return "".join(out)

    def finish(self) -> str:
        tail, self._pending = self._pending, ""
        return tail


def renumber(text: str, n_sources: int) -> tuple[str, list[int]]:
    renumberer = CitationRenumberer(n_sources)
    out = renumberer.feed(text) + renumberer.finish()
    return tidy(out), renumberer.order


def tidy(text: str) -> str:
    """Collapse the spaces dropped citations leave behind."""
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


UNCITED_SUPPORT = 0.5  # share of a sentence written without a citation its best passage must hold to be cited


class CitationChecker:
    """Keep a sentence's citations only where the cited passage supports it; repair the rest.

    Works on the model's own numbering (1 = first passage given). A citation whose passage
    shares too little of the sentence is dropped; a sentence left without a citation is given
    the best-supporting passage when that passage clearly backs it. When no passage shares the
    sentence's words, a citation stands only where words cannot be compared: a passage in
    another language than the answer (`judgeable` false) that names a same number or name, or a
    sentence too short to judge ("Yes [1]"). Numbers outside the passage range are dropped too,
    so nothing cites a passage the reader cannot open. The passages' vocabularies are computed
    once, however many sentences are checked.
    """

    def __init__(self, passages: Sequence[str], judgeable: Sequence[bool] | None = None) -> None:
        self.passages = list(passages)
        self.comparable = list(judgeable) if judgeable is not None else [True] * len(self.passages)
        self.vocabularies = [Vocabulary(p) for p in self.passages]

    def check(self, raw: str) -> str:
        if not self.passages:
            return CITATION.sub("", raw)
        return tidy(" ".join(self._sentence(s) for s in split_sentences(raw)))

    def _sentence(self, sentence: str) -> str:
        cited = [int(n) for m in CITATION.finditer(sentence) for n in re.findall(r"\d+", m.group(1))]
        claim = CITATION.sub("", sentence)
        scores = [v.support(claim) for v in self.vocabularies]
        best = max(range(len(self.passages)), key=lambda i: scores[i])
        valid = [k for k in dict.fromkeys(cited) if 1 <= k <= len(self.passages)]
        if scores[best] < SUPPORT_MIN:
            short = len(content_tokens(claim)) < 2
            keep = [k for k in valid
                    if short or (not self.comparable[k - 1] and shares_anchor(claim, self.passages[k - 1]))]
        else:
            keep = [k for k in valid if scores[k - 1] >= max(SUPPORT_MIN, 0.6 * scores[best])]
        if not keep and len(content_tokens(claim)) >= 2 and scores[best] >= (SUPPORT_MIN if cited else UNCITED_SUPPORT):
            keep = [best + 1]
        return cited_to(claim, keep)

    def ties_uncited(self, claim: str) -> bool:
        """Whether `check` gives `claim`, written without a citation, one by itself: it has two
        content words and a passage shares `UNCITED_SUPPORT` of them."""
        best = max((v.support(claim) for v in self.vocabularies), default=0.0)
        return len(content_tokens(claim)) >= 2 and best >= UNCITED_SUPPORT

    def backing(self, claim: str, among: Sequence[int]) -> int | None:
        """Of the passages `among` (0-based), the one whose words best back `claim`, if any backs
        it at all (`SUPPORT_MIN`) in a language the words can be compared in."""
        scores = {i: self.vocabularies[i].support(claim) for i in among if self.comparable[i]}
        best = max(scores, key=lambda i: scores[i], default=None)
        return best if best is not None and scores[best] >= SUPPORT_MIN else None


def cited_to(claim: str, sources: Sequence[int]) -> str:
    """`claim` (its citations removed) citing `sources` (1-based), the marks before its final stop."""
    marks = "".join(f"[{k}]" for k in sources)
    body = CITATION.sub("", claim).rstrip()
    trail = re.search(r"[.!?。]+$", body)
    if marks and trail:
        body = body[: trail.start()].rstrip() + " " + marks + trail.group(0)
    elif marks:
        body = body + " " + marks
    return tidy(body)


def check_citations(raw: str, passages: Sequence[str], judgeable: Sequence[bool] | None = None) -> str:
    """`raw` with its citations checked against `passages` (see `CitationChecker`)."""
    return CitationChecker(passages, judgeable).check(raw)


_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def join_cited(parts: Sequence[tuple[str, Sequence[Citation]]]) -> tuple[str, list[Citation]]:
    """Answers to the parts of one question, each numbered from [1], as one answer: citations
    renumbered in order, a passage cited by two parts keeping one number."""
    joined: list[Citation] = []
    number: dict[str, int] = {}  # node id -> number in the joined answer
    texts = []
    for text, citations in parts:
        local: dict[int, int] = {}
        for citation in citations:
            key = citation.passage.node_id
            if key not in number:
                number[key] = len(joined) + 1
                joined.append(Citation(n=number[key], passage=citation.passage))
            local[citation.n] = number[key]
        texts.append(_renumbered(text.strip(), local))
    return " ".join(texts), joined


def _renumbered(text: str, table: dict[int, int]) -> str:
    def marker(found: re.Match[str]) -> str:
        return "[" + ", ".join(str(table.get(int(n), int(n))) for n in found.group(1).split(",")) + "]"

    return _MARKER.sub(marker, text)
