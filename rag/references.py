"""The sources of an answer as plain text that travels with it through any client.

Chat clients (LangChain's `ChatOpenAI`, LlamaIndex's `OpenAILike`, most chat UIs) keep only the
message content of an OpenAI-style reply and drop extra fields such as `sources`. An answer that
cites `[1]` is then uncheckable. A references block appended to the content keeps every citation
resolvable: number, title, outlet, date, file and the sentence of the passage that backs it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.schema import Answer
from rag.wording import best_sentence, split_sentences, support

_MARKER = re.compile(r"\[(\d{1,3})\]")
EXCERPT_CHARS = 240


def claims_citing(answer: Answer, n: int) -> list[str]:
    """The answer's sentences that cite `[n]`, without their markers."""
    return [_MARKER.sub("", s).strip() for s in split_sentences(answer.text) if f"[{n}]" in s]


def supporting_sentence(passage_text: str, claims: Sequence[str]) -> str | None:
    """The passage sentence that best backs what the answer said with this citation."""
    if not claims:
        return None
    claim = " ".join(claims)
    sentences, k = best_sentence([passage_text], claim, both_ways=True)
    return sentences[k] if k >= 0 and support(claim, sentences[k]) > 0 else None


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` on one line, cut at a word boundary near `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"


def references_block(answer: Answer) -> str:
    """"References:" and one line per citation, or "" when the answer cites nothing."""
    if not answer.citations:
        return ""
    lines = ["References:"]
    for citation in answer.citations:
        p = citation.passage
        where = ", ".join(x for x in (p.outlet, p.published) if x)
        claims = claims_citing(answer, citation.n)
        backing = supporting_sentence(p.text, claims) or p.text
        line = f"[{citation.n}] {p.title}" + (f" — {where}" if where else "") + f' ({p.source}): "{excerpt(backing)}"'
        if p.translation:
            translated = supporting_sentence(p.translation, claims) or p.translation
            line += f' (translation: "{excerpt(translated)}")'
        lines.append(line)
    return "\n".join(lines)
