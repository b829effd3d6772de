"""The chat page: streamed answers with clickable citations, and an Articles tab to manage the index.

One `Assistant` (and so one loaded model) serves every visitor; each visitor's conversation lives
in their own `gr.State`, so two browsers never see each other's chat.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from rag.access import AccessError, check_write, write_secrets
from rag.assistant import Assistant
from rag.embeddings import embedding_id
from rag.language import name as language_name
from rag.library import LibraryError, Upload, add_articles, list_articles, remove_article
from rag.llm import LLMError
from rag.prompts import QuestionError
from rag.schema import Answer
from rag.settings import Settings
from rag.store import StoreError
from ui.render import CSS, HEAD, answer_html, inert, sources_html

EXAMPLES = [
    "How much money did Trudeau announce for military equipment?",
    "Who is Russia's ambassador to Canada?",
    "What memorial did Melanie Joly visit in Kyiv?",
    "Berapa banyak kendaraan lapis baja yang akan dikirim Kanada ke Ukraina?",
]
# Shown until the first checked sentence is released: answers are checked before they are shown.
CHECKING = '<span class="rag-checking">Reading the sources and checking the answer…</span>'
ARTICLE_COLUMNS = ["article", "title", "outlet", "date", "language", "passages"]


@dataclass
class ChatState:
    """One visitor's conversation: what the LLM sees as history, and the answers shown so far."""

    history: list[dict[str, str]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)


def status_line(settings: Settings) -> str:
    try:
        docs = list_articles(settings)
        counts = f"{len(docs)} articles, {sum(d.chunks for d in docs)} passages indexed"
    except StoreError:
        counts = "index is empty: add articles in the Articles tab or run `rag index`"
    llm = f"{settings.llm_backend} · {settings.llm_model_name}"
    return f'<div class="rag-status">LLM <b>{html.escape(llm)}</b> · embeddings ' \
           f'<b>{html.escape(embedding_id(settings))}</b> · {html.escape(counts)}</div>'


def articles_table(settings: Settings) -> list[list[Any]]:
    try:
        docs = list_articles(settings)
    except StoreError:
        return []
    return [[d.doc_id, d.title, d.outlet, d.published, language_name(d.language), d.chunks] for d in docs]


def all_sources_html(state: ChatState) -> str:
    """Sources of the latest answer, then earlier answers' sources folded, so every [n] resolves."""
    if not state.answers:
        return sources_html(None, 0)
    latest = len(state.answers) - 1
    parts = [sources_html(state.answers[latest], latest)]
    earlier = "".join(sources_html(state.answers[t], t) for t in range(latest - 1, -1, -1))
    if earlier:
        parts.append(f'<details class="rag-earlier"><summary>Sources of earlier answers</summary>{earlier}</details>')
    return "".join(parts)


def friendly(exc: Exception) -> str:
    if isinstance(exc, LLMError):
        return f"Problem: the language model did not answer: {exc}."
    if isinstance(exc, StoreError):
        return f"Problem: {exc}. You can add articles in the Articles tab."
    return f"Problem: {exc}"


class PageActions:
    """What the page's events do, for one app: answer, start over, add and remove articles, refresh,
    and the two API endpoints (`/ask`, `/articles`). Each visitor's chat comes in as their `ChatState`."""

    def __init__(self, settings: Settings, bot: Assistant, loopback: bool) -> None:
        self.settings, self.bot, self.loopback = settings, bot, loopback

    def respond(self, question: str, messages: list[dict[str, Any]], state: ChatState) -> Iterator[tuple[Any, ...]]:
        messages = list(messages or [])
        try:
            stream = self.bot.stream(question, history=state.history)
        except QuestionError as exc:
            yield messages, state, question, gr.skip(), f"Problem: {exc}"
            return
        messages += [{"role": "user", "content": inert(question.strip())},
                     {"role": "assistant", "content": CHECKING}]
        yield messages, state, "", gr.skip(), ""
        shown = ""
        try:
            for token in stream:
                shown += token
                messages[-1] = {"role": "assistant", "content": inert(shown)}
                yield messages, state, "", gr.skip(), ""
        except (LLMError, StoreError) as exc:
            messages[-1] = {"role": "assistant",
                            "content": f'<span class="rag-error">{html.escape(friendly(exc))}</span>'}
            yield messages, state, question, gr.skip(), friendly(exc)
            return
        finally:  # a visitor who left mid-answer: stop generating and free the LLM slot now
            stream.close()
        answer = stream.answer
        assert answer is not None
        turn = len(state.answers)
        state = ChatState(
            history=[*state.history, {"role": "user", "content": question},
                     {"role": "assistant", "content": answer.text}],
            answers=[*state.answers, answer],
        )
        messages[-1] = {"role": "assistant", "content": answer_html(answer, turn)}
        yield messages, state, "", all_sources_html(state), ""

    def new_chat(self) -> tuple[Any, ...]:
        return [], ChatState(), "", sources_html(None, 0), ""

    def check_password(self, password: str) -> None:
        check_write(self.settings, password, loopback_page=self.loopback)

    def add(self, files: list[str] | None, password: str,
            progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 - Gradio injects it
        try:
            self.check_password(password or "")
            uploads = [Upload(Path(f).name, Path(f)) for f in (files or [])]
            progress(0, desc="Reading articles")
            report = add_articles(self.settings, uploads, embedder=self.bot.embedder,
                                  aux_embedder=self.bot.aux_embedder,
                                  progress=lambda done, total: progress((done, max(total, 1)),
                                                                        desc="Embedding passages"))
        except (LibraryError, StoreError, AccessError) as exc:
            return gr.skip(), f"Problem: {exc}", None, gr.skip(), gr.skip()
        added = ", ".join(report.added + report.updated) or "nothing new"
        notes = [f"{d['doc_id']} has the same text as {d['same_as']}, indexed once" for d in report.duplicates]
        notes += [f"skipped {s['path']}: {s['reason']}" for s in report.skipped]
        message = f"Indexed {added} ({report.chunks_embedded} passages, {report.seconds} s). Ask away." + \
            "".join(f"\n\nNote: {n}" for n in notes)
        return (articles_table(self.settings), message, None, status_line(self.settings),
                gr.update(choices=[r[0] for r in articles_table(self.settings)], value=None))

    def remove(self, doc_id: str | None, password: str) -> tuple[Any, ...]:
        try:
            self.check_password(password or "")
            if not doc_id:
                raise LibraryError("choose an article to remove")
            remove_article(self.settings, doc_id)
        except (LibraryError, StoreError, AccessError) as exc:
            return gr.skip(), f"Problem: {exc}", gr.skip(), gr.skip()
        rows = articles_table(self.settings)
        choices = gr.update(choices=[r[0] for r in rows], value=None)
        return rows, f"Removed {doc_id}.", status_line(self.settings), choices

    def refresh(self) -> tuple[Any, ...]:
        rows = articles_table(self.settings)
        return status_line(self.settings), rows, gr.update(choices=[r[0] for r in rows], value=None)

    @staticmethod
    def pick_example(evt: gr.SelectData) -> str:
        return str(evt.value["text"] if isinstance(evt.value, dict) else evt.value)

    def ask_api(self, question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Answer a question; same JSON as `rag ask --json`. `history`: earlier turns."""
        try:
            return self.bot.ask(question, history=history or None).to_dict()
        except (QuestionError, LLMError, StoreError) as exc:
            raise gr.Error(str(exc)) from exc

    def articles_api(self) -> list[dict[str, Any]]:
        """The indexed articles with their metadata and passage counts."""
        return [dict(zip(ARTICLE_COLUMNS, row, strict=True)) for row in articles_table(self.settings)]


@dataclass
class ChatTab:
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    new: gr.Button
    notice: gr.Markdown
    sources: gr.HTML


@dataclass
class ArticlesTab:
    table: gr.Dataframe
    files: gr.File
    password: gr.Textbox
    add: gr.Button
    doc: gr.Dropdown
    remove: gr.Button
    message: gr.Markdown


def chat_tab() -> ChatTab:
    with gr.Tab("Chat"), gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                elem_id="rag-chat", height=520, buttons=["copy"], label="Answers cite their sources",
                examples=[{"text": q} for q in EXAMPLES],
                placeholder="Ask a question about the indexed news articles. Every claim links to its source.",
            )
            with gr.Row():
                question = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=5,
                                      elem_id="rag-question", max_lines=4, submit_btn=False)
                ask_btn = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="rag-ask")
                new_btn = gr.Button("New chat", scale=1, min_width=80, elem_id="rag-new")
            notice = gr.Markdown(elem_id="rag-notice")
        with gr.Column(scale=2):
            sources = gr.HTML(sources_html(None, 0), elem_id="rag-sources")
    return ChatTab(chatbot, question, ask_btn, new_btn, notice, sources)


def articles_tab(settings: Settings) -> ArticlesTab:
    with gr.Tab("Articles"):
        table = gr.Dataframe(value=articles_table(settings), headers=ARTICLE_COLUMNS, interactive=False,
                             elem_id="rag-articles", wrap=True)
        with gr.Row():
            files = gr.File(label="Add articles (.txt, .md, .html)", file_count="multiple",
                            file_types=[".txt", ".md", ".markdown", ".html", ".htm"], elem_id="rag-upload")
            with gr.Column():
                password = gr.Textbox(label="Admin password", type="password", elem_id="rag-password",
                                      visible=bool(write_secrets(settings)))
                add_btn = gr.Button("Add to index", variant="primary", elem_id="rag-add")
                doc = gr.Dropdown(label="Article to remove", choices=[r[0] for r in articles_table(settings)],
                                  value=None, elem_id="rag-remove-choice")
                remove_btn = gr.Button("Remove article", variant="stop", elem_id="rag-remove")
        message = gr.Markdown(elem_id="rag-articles-msg")
    return ArticlesTab(table, files, password, add_btn, doc, remove_btn, message)


def build_app(settings: Settings, assistant: Assistant | None = None, *, loopback: bool = False) -> gr.Blocks:
    """The page. `loopback`: it listens on 127.0.0.1 alone, so with no secret configured, its visitor
    (the machine's own user) may change the articles; otherwise changes need a secret (`rag.access`)."""
    actions = PageActions(settings, assistant or Assistant(settings), loopback)
    with gr.Blocks(title="rag — ask the news articles", analytics_enabled=False) as demo:
        state = gr.State(ChatState())
        status = gr.HTML(status_line(settings), elem_id="rag-status")
        chat, articles = chat_tab(), articles_tab(settings)
        chat_outputs = [chat.chatbot, state, chat.question, chat.sources, chat.notice]
        asked = [chat.question, chat.chatbot, state]
        chat.ask.click(actions.respond, asked, chat_outputs, api_visibility="private", concurrency_limit=8)
        chat.question.submit(actions.respond, asked, chat_outputs, api_visibility="private", concurrency_limit=8)
        chat.chatbot.example_select(actions.pick_example, None, chat.question, api_visibility="private").then(
            actions.respond, asked, chat_outputs, api_visibility="private", concurrency_limit=8)
        chat.new.click(actions.new_chat, None, chat_outputs, api_visibility="private")
        articles.add.click(actions.add, [articles.files, articles.password],
                           [articles.table, articles.message, articles.files, status, articles.doc],
                           api_visibility="private")
        articles.remove.click(actions.remove, [articles.doc, articles.password],
                              [articles.table, articles.message, status, articles.doc], api_visibility="private")
        demo.load(actions.refresh, None, [status, articles.table, articles.doc], api_visibility="private")
        gr.api(actions.ask_api, api_name="ask", concurrency_limit=8)
        gr.api(actions.articles_api, api_name="articles")
    return demo


def theme() -> gr.themes.Base:
    """The default look with system fonts: nothing is fetched from a font CDN, so it works offline."""
    return gr.themes.Soft(font=("system-ui", "sans-serif"), font_mono=("ui-monospace", "monospace"))


def launch_kwargs() -> dict[str, Any]:
    return {"theme": theme(), "css": CSS, "head": HEAD, "footer_links": ["api"]}
