"""HTML for the chat page: answers with clickable citations and the passages they point to.

Pure functions over `Answer`s. Everything that came from a model or an article is escaped
before it is placed in markup, so neither can inject HTML or script into the page.
"""

from __future__ import annotations

import html
import re

from rag.language import name as language_name
from rag.references import claims_citing, supporting_sentence
from rag.schema import Answer, Citation, Passage

ABSTAIN_MESSAGE = "The articles don't say."
_MARKER = re.compile(r"\[(\d{1,3})\]")


def anchor(turn: int, n: int) -> str:
    return f"rag-src-{turn}-{n}"


# The chat bubbles render Markdown (and $…$ as LaTeX): every character that Markdown, autolinking
# or HTML would act on becomes a numeric entity, so text from a model, an article or a visitor is
# shown as typed. `![x](http://…)` in an answer would otherwise make every reader's browser fetch
# that URL: a prompt-injected article could leak the conversation.
_INERT = {ord(ch): f"&#{ord(ch)};" for ch in "&<>\"'!\\[](){}*_`~|#:.@$^+=-"}


def inert(text: str) -> str:
    """`text` for a Markdown-rendering component, shown exactly as written: no markup, image,
    link or formula can come out of it."""
    return text.translate(_INERT)


def answer_html(answer: Answer, turn: int) -> str:
    """The answer text, inert, with each `[n]` of a known citation turned into a link to its passage card."""
    if answer.abstained:
        closest = "Closest passages are listed under Sources for reading." if answer.retrieved else ""
        return f'<span class="rag-abstain">{html.escape(ABSTAIN_MESSAGE)}</span> {closest}'.strip()
    known = {c.n for c in answer.citations}
    out, last = [], 0
    for match in _MARKER.finditer(answer.text):
        n = int(match.group(1))
        if n in known:
            out.append(inert(answer.text[last:match.start()]))
            out.append(f'<a class="rag-cite" href="#{anchor(turn, n)}" data-turn="{turn}" data-n="{n}" '
                       f'title="Open source {n}">[{n}]</a>')
            last = match.end()
    out.append(inert(answer.text[last:]))
    return "".join(out)


def highlighted(passage_text: str, sentence: str | None) -> str:
    text = html.escape(passage_text)
    if not sentence:
        return text
    target = html.escape(sentence)
    return text.replace(target, f"<mark>{target}</mark>", 1)


def _meta_line(p: Passage) -> str:
    parts = [p.outlet, p.published, language_name(p.language)]
    return " · ".join(html.escape(x) for x in parts if x)


def citation_card(citation: Citation, answer: Answer, turn: int) -> str:
    """The cited passage as the article has it; when the model read a translation, that too,
    with the supporting sentence highlighted in the text the claim was checked against."""
    p = citation.passage
    claims = claims_citing(answer, citation.n)
    if p.translation:
        body = (f'<blockquote class="rag-passage">{html.escape(p.text)}</blockquote>'
                f'<div class="rag-meta">Machine translation the answer was drawn from:</div>'
                f'<blockquote class="rag-passage rag-translation">'
                f'{highlighted(p.translation, supporting_sentence(p.translation, claims))}</blockquote>')
    else:
        marked = highlighted(p.text, supporting_sentence(p.text, claims))
        body = f'<blockquote class="rag-passage">{marked}</blockquote>'
    return (
        f'<details class="rag-source" id="{anchor(turn, citation.n)}" open>'
        f'<summary><b>[{citation.n}]</b> {html.escape(p.title or p.source)}</summary>'
        f'<div class="rag-meta">{_meta_line(p)} · score {p.score:.2f} · <code>{html.escape(p.source)}</code></div>'
        f'{body}</details>'
    )


def sources_html(answer: Answer | None, turn: int) -> str:
    """The sources panel: only the cited passages, or the closest ones after an abstention."""
    if answer is None:
        return '<div class="rag-sources-empty">Sources of the latest answer appear here.</div>'
    if answer.citations:
        cards = "".join(citation_card(c, answer, turn) for c in answer.citations)
        return f'<div class="rag-sources"><h3>Sources</h3>{cards}</div>'
    if answer.retrieved:
        items = "".join(
            f'<details class="rag-source rag-closest"><summary>{html.escape(p.title or p.source)}</summary>'
            f'<div class="rag-meta">{_meta_line(p)} · score {p.score:.2f} · <code>{html.escape(p.source)}</code>'
            f'</div><blockquote class="rag-passage">{html.escape(p.text)}</blockquote></details>'
            for p in answer.retrieved[:3]
        )
        return (f'<div class="rag-sources"><h3>{html.escape(ABSTAIN_MESSAGE)}</h3>'
                f"<p>Closest passages, not cited:</p>{items}</div>")
    return '<div class="rag-sources-empty">No passages were found.</div>'


CSS = """
.rag-cite { font-weight: 600; text-decoration: none; padding: 0 1px; cursor: pointer; }
.rag-cite:hover { text-decoration: underline; }
.rag-abstain { font-style: italic; }
.rag-checking { font-style: italic; opacity: 0.7; }
.rag-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px; margin: 8px 0; }
.rag-source:target, .rag-source.rag-active { outline: 3px solid var(--color-accent); }
.rag-meta { font-size: 0.85em; opacity: 0.8; margin: 4px 0; }
.rag-passage { margin: 6px 0; font-size: 0.92em; line-height: 1.45; }
.rag-passage mark { padding: 0 2px; }
.rag-status { font-size: 0.85em; opacity: 0.85; }
"""

# Clicking [n] opens and highlights the passage card; works for cards rendered later too.
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.rag-cite");
  if (!link) return;
  event.preventDefault();
  const id = link.getAttribute("href").slice(1);
  const card = document.getElementById(id);
  if (!card) return;
  document.querySelectorAll(".rag-source.rag-active").forEach((el) => el.classList.remove("rag-active"));
  card.open = true;
  card.classList.add("rag-active");
  card.scrollIntoView({behavior: "smooth", block: "center"});
});
</script>
"""
