"""`rag serve` on 127.0.0.1, spoken to by the real `openai` client and plain HTTP.

The LLM behind it is the OpenAI stub (a real HTTP server on 127.0.0.1 that quotes the best
source sentence and cites it), so these run in seconds; the bundled model is in test_e2e_local.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
import pytest

from rag.assistant import Assistant
from rag.serve.ops import JSON_LIMIT
from tests.fixtures.openai_stub import OpenAIStub, StubBehaviour, extractive_reply
from tests.fixtures.served import TOKEN, TRUDEAU, TRUDEAU_SOURCE, Served, assert_error, serving, stub_settings
from tests.fixtures.settings import BUNDLED


@pytest.fixture
def served(tmp_path: Path, bundled_index: Path, e5: Any, use: Any) -> Iterator[Served]:
    """Read-only use of the shared bundled index; writes are disabled (no token)."""
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        settings = stub_settings(tmp_path, bundled_index, stub)
        bot = Assistant(settings, embedder=e5)
        bot._aux_embedder = use
        with serving(settings, bot, stub) as s:
            yield s


@pytest.fixture
def writable(tmp_path: Path, bundled_index: Path, e5: Any, use: Any) -> Iterator[Served]:
    """A private copy of the index and the articles folder, and a token for writes."""
    index, articles = tmp_path / "index", tmp_path / "articles"
    shutil.copytree(bundled_index, index)
    shutil.copytree(BUNDLED, articles)
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        settings = stub_settings(tmp_path, index, stub, articles_dir=articles, api_token=TOKEN)
        bot = Assistant(settings, embedder=e5)
        bot._aux_embedder = use
        with serving(settings, bot, stub) as s:
            yield s


# -- the OpenAI-compatible endpoint -----------------------------------------------------------------

def test_openai_client_gets_a_cited_answer_with_sources(served: Served) -> None:
    reply = served.openai().chat.completions.create(model="rag", messages=[{"role": "user", "content": TRUDEAU}])
    text = reply.choices[0].message.content or ""
    assert "500 million" in text and "[1]" in text
    sources = (reply.model_extra or {})["sources"]
    assert sources[0]["n"] == 1 and sources[0]["source"] == TRUDEAU_SOURCE
    assert "500 million" in sources[0]["text"]
    assert reply.choices[0].finish_reason == "stop" and reply.model == "rag"


def test_openai_client_streams_tokens_then_sources(served: Served) -> None:
    stream = served.openai().chat.completions.create(
        model="rag", stream=True, messages=[{"role": "user", "content": TRUDEAU}])
    deltas, last = [], None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            deltas.append(chunk.choices[0].delta.content)
        last = chunk
    # Answers are released sentence by sentence once checked (docs/quality.md): this one-sentence
    # answer arrives whole; test_stream_releases_each_checked_sentence covers longer ones.
    assert len(deltas) >= 1
    text = "".join(deltas)
    assert "500 million" in text and "[1]" in text
    assert last is not None and last.choices[0].finish_reason == "stop"
    extra = last.model_extra or {}
    assert extra["sources"][0]["source"] == TRUDEAU_SOURCE and extra["abstained"] is False
    answer, references = text.split("\n\nReferences:\n")  # model `rag`: the block closes the content
    assert extra["answer"] == answer.strip()
    assert references.startswith("[1] ") and f"({TRUDEAU_SOURCE})" in references


def test_follow_up_uses_the_conversation(served: Served) -> None:
    reply = served.openai().chat.completions.create(model="rag", messages=[
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Who is Russia's ambassador to Canada?"},
        {"role": "assistant", "content": "Oleg Stepanov [1]."},
        {"role": "user", "content": [{"type": "text", "text": "What did he say?"}]}])
    assert reply.choices[0].message.content
    rewrite = [r for r in served.stub.behaviour.requests if "Rewritten question" in r["messages"][-1]["content"]]
    assert rewrite and "ambassador" in rewrite[0]["messages"][-1]["content"]


def test_off_corpus_question_abstains(served: Served) -> None:
    reply = served.openai().chat.completions.create(
        model="rag", messages=[{"role": "user", "content": "What is the boiling point of tungsten?"}])
    extra = reply.model_extra or {}
    assert extra["abstained"] is True and extra["sources"] == []


def test_openai_client_sees_clear_errors(served: Served) -> None:
    client = served.openai()
    with pytest.raises(openai.BadRequestError, match="empty"):
        client.chat.completions.create(model="rag", messages=[{"role": "user", "content": "   "}])
    with pytest.raises(openai.BadRequestError, match="last message must come from the user"):
        client.chat.completions.create(model="rag", messages=[{"role": "assistant", "content": "hi"}])
    served.stub.behaviour.status = 500
    with pytest.raises(openai.APIStatusError, match="HTTP 500") as failed:
        client.chat.completions.create(model="rag", messages=[{"role": "user", "content": TRUDEAU}])
    assert failed.value.status_code == 502
    with pytest.raises(openai.APIStatusError) as streamed:  # the stream fails before its first token
        list(client.chat.completions.create(model="rag", stream=True,
                                            messages=[{"role": "user", "content": TRUDEAU}]))
    assert streamed.value.status_code == 502


def test_models_lists_rag(served: Served) -> None:
    assert [m.id for m in served.openai().models.list()] == ["rag", "rag-plain"]


# -- REST ---------------------------------------------------------------------------------------------

def test_api_ask_is_the_rag_ask_json_contract(served: Served) -> None:
    with served.http() as http:
        body = http.post("/api/ask", json={"question": TRUDEAU}).json()
    assert {"answer", "abstained", "citations", "retrieved", "timings_ms"} <= set(body)
    assert "500 million" in body["answer"] and body["abstained"] is False
    assert body["citations"][0]["source"] == TRUDEAU_SOURCE
    assert {"n", "source", "title", "outlet", "published", "text", "score"} <= set(body["citations"][0])
    assert body["retrieved"] and body["timings_ms"]["total"] > 0


def test_bad_requests_get_the_stable_error_shape(served: Served) -> None:
    with served.http() as http:
        assert "empty" in assert_error(http.post("/api/ask", json={"question": ""}), 400, "invalid_request_error")
        assert_error(http.post("/api/ask", json={"nope": 1}), 400, "invalid_request_error")
        assert_error(http.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"}),
                     400, "invalid_request_error")
        too_long = "why " * 1000
        assert "too long" in assert_error(http.post("/api/ask", json={"question": too_long}), 400,
                                          "invalid_request_error")
        big = {"question": "x" * (JSON_LIMIT + 10)}
        assert "MiB" in assert_error(http.post("/api/ask", json=big), 413, "payload_too_large")

        def chunked() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
            yield b'{"question": "'
            for _ in range(JSON_LIMIT // 65536 + 2):
                yield b"y" * 65536
            yield b'"}'

        assert_error(http.post("/api/ask", content=chunked(), headers={"content-type": "application/json"}),
                     413, "payload_too_large")
        assert_error(http.get("/api/nothing-here"), 404, "not_found")
        assert_error(http.put("/api/ask", json={}), 405, "method_not_allowed")


def test_health_docs_and_metrics(served: Served) -> None:
    with served.http() as http:
        health = http.get("/healthz").json()
        assert health["status"] == "ok" and health["passages"] > 10
        assert http.post("/api/ask", json={"question": TRUDEAU}).status_code == 200
        assert http.post("/api/ask", json={"question": ""}).status_code == 400
        metrics = http.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")
        text = metrics.text
        assert 'rag_http_requests_total{method="POST",route="/api/ask",status="200"} 1.0' in text
        assert 'rag_http_requests_total{method="POST",route="/api/ask",status="400"} 1.0' in text
        assert 'rag_answers_total{outcome="answered"} 1.0' in text
        assert "rag_answer_first_token_seconds_count 1.0" in text
        assert "rag_answer_tokens_total" in text and "rag_answer_tokens_total 0.0" not in text
        spec = http.get("/openapi.json").json()
        assert {"/v1/chat/completions", "/api/ask", "/api/articles", "/healthz", "/metrics"} <= set(spec["paths"])
        docs = http.get("/docs")
        assert docs.status_code == 200 and "/static-docs/swagger-ui-bundle.js" in docs.text
        assert "cdn" not in docs.text.lower(), "the docs page must work offline"
        assert http.get("/static-docs/swagger-ui-bundle.js").status_code == 200


def test_empty_index_is_503_not_a_crash(tmp_path: Path, e5: Any) -> None:
    with OpenAIStub() as stub:
        settings = stub_settings(tmp_path, tmp_path / "no-index", stub)
        with serving(settings, Assistant(settings, embedder=e5), stub) as s, s.http() as http:
            assert http.get("/healthz").status_code == 503
            assert_error(http.post("/api/ask", json={"question": TRUDEAU}), 503, "index_unavailable")
            assert_error(http.get("/api/articles"), 503, "index_unavailable")


# -- writes ---------------------------------------------------------------------------------------------

def test_writes_need_the_token(served: Served, writable: Served) -> None:
    files = {"files": ("new.txt", b"Some text that is long enough to be an article. " * 20, "text/plain")}
    with served.http() as http:  # no RAG_API_TOKEN configured: writes are off
        assert "RAG_API_TOKEN" in assert_error(http.post("/api/articles", files=files), 403, "permission_error")
    with writable.http() as http:
        response = http.post("/api/articles", files=files)
        assert_error(response, 401, "authentication_error")
        assert response.headers["www-authenticate"] == "Bearer"
        assert_error(http.delete("/api/articles/001_79aa4f23a039ae56.txt", headers={"Authorization": "Bearer no"}),
                     401, "authentication_error")
        assert len(http.get("/api/articles").json()) == 5, "refused writes changed nothing"


def test_add_ask_and_delete_an_article(writable: Served) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    article = ("Harbour town opens floating library\n\nThe harbour town of Quillport opened a floating library "
               "on Tuesday. The library barge holds 12,000 books and was paid for by the fishing cooperative. "
               "Mayor Ingrid Solvang said the barge will visit nine villages along the fjord each summer.\n")
    with writable.http() as http:
        added = http.post("/api/articles", headers=auth,
                          files=[("files", ("quillport.txt", article.encode(), "text/plain")),
                                 ("files", ("evil.exe", b"MZ\x00\x00", "application/octet-stream"))])
        assert added.status_code == 201, added.text
        report = added.json()
        assert report["added"] == ["quillport.txt"] and report["skipped"][0]["path"] == "evil.exe"
        assert 0 < report["chunks_embedded"] <= 3, "only the new article is embedded"
        listed = {a["id"]: a for a in http.get("/api/articles").json()}
        assert len(listed) == 6 and listed["quillport.txt"]["title"] == "Harbour town opens floating library"
        assert (writable.settings.articles_dir / "quillport.txt").is_file()

        answer = http.post("/api/ask", json={"question": "How many books does the Quillport library barge hold?"})
        assert answer.json()["citations"][0]["source"] == "quillport.txt"

        assert http.delete("/api/articles/quillport.txt", headers=auth).json() == {"removed": "quillport.txt"}
        assert "quillport.txt" not in {a["id"] for a in http.get("/api/articles").json()}
        assert not (writable.settings.articles_dir / "quillport.txt").exists()
        assert_error(http.delete("/api/articles/quillport.txt", headers=auth), 404, "not_found")
        assert_error(http.delete("/api/articles/..%2F..%2Fetc%2Fpasswd", headers=auth), 404, "not_found")
        only_bad = http.post("/api/articles", headers=auth, files={"files": ("x.pdf", b"%PDF", "application/pdf")})
        assert_error(only_bad, 400, "invalid_request_error")


def test_chat_page_is_mounted(tmp_path: Path, bundled_index: Path, e5: Any) -> None:
    with OpenAIStub(StubBehaviour(reply=extractive_reply)) as stub:
        settings = stub_settings(tmp_path, bundled_index, stub)
        with serving(settings, Assistant(settings, embedder=e5), stub, ui=True) as s, s.http() as http:
            home = http.get("/")
            assert home.status_code in (302, 307) and home.headers["location"] == "/ui/"
            page = http.get("/ui/")
            assert page.status_code == 200 and "gradio" in page.text.lower()
            assert http.get("/healthz").status_code == 200, "API routes still answer beside the page"
            from gradio_client import Client

            answer = Client(f"{s.url}/ui/", verbose=False).predict(TRUDEAU, None, api_name="/ask")
            assert answer["citations"][0]["source"] == TRUDEAU_SOURCE, "the page's queue works through the mount"


def test_concurrency_setting_bounds_llm_calls_in_flight(tmp_path: Path, bundled_index: Path, e5: Any,
                                                        use: Any) -> None:
    with OpenAIStub(StubBehaviour(reply=extractive_reply, delay=0.3)) as stub:
        settings = stub_settings(tmp_path, bundled_index, stub, llm_concurrency=2)
        bot = Assistant(settings, embedder=e5)
        bot._aux_embedder = use
        with serving(settings, bot, stub) as s, s.http() as http, ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: http.post("/api/ask", json={"question": TRUDEAU}), range(6)))
        assert all(a.status_code == 200 and "500 million" in a.json()["answer"] for a in answers)
        assert stub.behaviour.max_in_flight == 2, "six askers, two LLM calls at a time"


def test_stream_releases_each_checked_sentence(tmp_path: Path, bundled_index: Path, e5: Any, use: Any) -> None:
    """Three sentences arrive as three pieces; the one whose number no cited passage holds never
    reaches the client, and the streamed text is the final answer."""
    reply = ("Trudeau announced $500 million for military equipment [1]. He announced it at the G20 summit in Bali "
             "[1]. He also pledged 900 tanks [1]. The envelope covers the purchase of equipment [1].")
    with OpenAIStub(StubBehaviour(reply=cite_first(reply))) as stub:
        settings = stub_settings(tmp_path, bundled_index, stub)
        bot = Assistant(settings, embedder=e5)
        bot._aux_embedder = use
        with serving(settings, bot, stub) as s:
            stream = s.openai().chat.completions.create(model="rag-plain", stream=True,
                                                        messages=[{"role": "user", "content": TRUDEAU}])
            chunks = list(stream)  # `rag-plain`: the answer's pieces alone, no references block after them
    deltas = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(deltas) == 3 and "900" not in "".join(deltas)
    assert (chunks[-1].model_extra or {})["answer"] == "".join(deltas).strip()


def cite_first(reply: str) -> Any:
    """`reply`, with [1] pointing at the source line that holds "500 million"."""

    def answer(request: dict[str, Any]) -> str:
        user = request["messages"][-1]["content"]
        line = next((ln for ln in user.splitlines() if ln.startswith("[") and "500 million" in ln), "[1]")
        return reply.replace("[1]", line[: line.index("]") + 1])

    return answer


def test_every_response_carries_a_request_id_and_the_log_lines_too(served: Served,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    def access() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "rag.serve.ops" and "/healthz" in r.getMessage()]

    with served.http() as client, caplog.at_level(logging.INFO, logger="rag"):
        echoed = client.get("/healthz", headers={"X-Request-ID": "trace-42"})
        fresh = client.get("/healthz")
        hostile = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 100})
        # the server thread writes a request's access line just after its response has gone out
        deadline = time.monotonic() + 5
        while len(access()) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert echoed.headers["x-request-id"] == "trace-42"
    assert re.fullmatch(r"[0-9a-f]{16}", fresh.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{16}", hostile.headers["x-request-id"])  # not echoed: a fresh one
    assert len(access()) == 3 and "200" in access()[0].getMessage()


def test_log_lines_name_their_request() -> None:
    from rag.logs import JsonFormatter, RequestIdFilter, new_request_id, request_id

    token = request_id.set("-")
    try:
        new_request_id("abc-123")
        record = logging.LogRecord("rag.x", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
        assert line["request_id"] == "abc-123" and line["message"] == "failed here"
    finally:
        request_id.reset(token)
