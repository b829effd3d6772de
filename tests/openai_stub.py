"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol.

Tests point the real `openai` client (and so the whole app) at it. Its behaviour is set per
test: the reply text (or a function of the request), an HTTP status to fail with, a delay
before answering, and whether a stream breaks off or returns nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict[str, Any]], str]


@dataclass
class StubBehaviour:
    reply: Reply = "Stub answer [1]."
    status: int = 200
    delay: float = 0.0
    chunk_delay: float = 0.0
    empty_stream: bool = False
    garbage: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0  # the most requests the stub was serving at once
    lock: threading.Lock = field(default_factory=threading.Lock)


def fake_embedding(text: str, dim: int = 16) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    raw = [b / 255.0 - 0.5 for b in digest[:dim]]
    norm = sum(x * x for x in raw) ** 0.5 or 1.0
    return [x / norm for x in raw]


_WORDS = re.compile(r"\w{4,}")


def extractive_reply(request: dict[str, Any]) -> str:
    """Behave like a careful RAG model: quote the source sentence closest to the question, cite it.

    Rewrite requests (follow-ups) get the last question with the first user turn appended, so a
    test can see that the conversation reached the model.
    """
    user = request["messages"][-1]["content"]
    if "Rewritten question" in user:
        last = user.split("Last question:", 1)[1].split("\n", 1)[0].strip()
        first = re.search(r"^User: (.*)$", user, re.MULTILINE)
        return f"{last} ({first.group(1)})" if first else last
    question = {w.lower() for w in _WORDS.findall(user.rsplit("Question:", 1)[-1])}
    best: tuple[int, str, str] = (0, "", "")
    for line in user.splitlines():
        match = re.match(r"\[(\d+)\] (?:[^:]*: )?(.*)", line)
        if not match:
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", match.group(2)):
            overlap = len(question & {w.lower() for w in _WORDS.findall(sentence)})
            if overlap > best[0]:
                best = (overlap, match.group(1), sentence.strip())
    if best[0] < 2:
        return "I don't know."
    return f"{best[2].rstrip('.')} [{best[1]}]."


class _Handler(BaseHTTPRequestHandler):
    server: _StubServer

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        behaviour = self.server.behaviour
        with behaviour.lock:
            behaviour.in_flight += 1
            behaviour.max_in_flight = max(behaviour.max_in_flight, behaviour.in_flight)
        try:
            self._serve(behaviour)
        finally:
            with behaviour.lock:
                behaviour.in_flight -= 1

    def _serve(self, behaviour: StubBehaviour) -> None:
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        request["_path"] = self.path
        request["_auth"] = self.headers.get("Authorization", "")
        behaviour.requests.append(request)
        if behaviour.delay:
            time.sleep(behaviour.delay)
        if behaviour.status != 200:
            self._json(behaviour.status, {"error": {"message": f"stub failure {behaviour.status}",
                                                    "type": "stub", "code": behaviour.status}})
            return
        if self.path.endswith("/embeddings"):
            inputs = request["input"] if isinstance(request["input"], list) else [request["input"]]
            self._json(200, {"object": "list", "model": request.get("model"), "data": [
                {"object": "embedding", "index": i, "embedding": fake_embedding(t)} for i, t in enumerate(inputs)]})
            return
        if not self.path.endswith("/chat/completions"):
            self._json(404, {"error": {"message": "no such route"}})
            return
        if behaviour.garbage:
            body = b"<html>definitely not json</html>"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        text = behaviour.reply(request) if callable(behaviour.reply) else behaviour.reply
        if request.get("stream"):
            self._stream(text, request, behaviour)
        else:
            self._json(200, {
                "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                "model": request.get("model", "stub"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            })

    def _stream(self, text: str, request: dict[str, Any], behaviour: StubBehaviour) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [] if behaviour.empty_stream else [text[i : i + 3] for i in range(0, len(text), 3)]
        for piece in pieces:
            chunk = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": request.get("model", "stub"),
                     "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            if behaviour.chunk_delay:
                time.sleep(behaviour.chunk_delay)
        done = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": request.get("model", "stub"), "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True
    behaviour: StubBehaviour


class OpenAIStub:
    """Context manager: `with OpenAIStub() as stub: stub.base_url ...`."""

    def __init__(self, behaviour: StubBehaviour | None = None) -> None:
        self.behaviour = behaviour or StubBehaviour()
        self._server = _StubServer(("127.0.0.1", 0), _Handler)
        self._server.behaviour = self.behaviour
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
