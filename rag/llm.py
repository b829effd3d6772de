"""Chat models behind one protocol: OpenAI chat completions, for hosted and local models alike.

The bundled model runs inside this process as a llama.cpp HTTP server on 127.0.0.1 (xllamacpp),
so the same `openai` client code path serves OpenAI, vLLM, Ollama, llama.cpp server and the
offline default. Failures become `LLMError`s whose message tells the user what to check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import openai

from rag.errors import RagError
from rag.local_model import ensure_local_model
from rag.schema import Token
from rag.settings import Settings

Message = dict[str, str]
log = logging.getLogger(__name__)


class LLMError(RagError, RuntimeError):
    """A failed LLM call, phrased for the person waiting on the answer."""


def explain(exc: Exception, where: str, timeout: float, what: str = "LLM") -> LLMError:
    """`exc` from a model server, as one line that says what to check; `what` names the server."""
    return LLMError(_explanation(exc, where, timeout).replace("the LLM", f"the {what}"))


def _explanation(exc: Exception, where: str, timeout: float) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return (f"the LLM at {where} did not answer within {timeout:g} s; "
                "it may be overloaded (raise RAG_LLM_TIMEOUT or check the server)")
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach the LLM at {where}; is the server running? check OPENAI_BASE_URL"
    if isinstance(exc, openai.AuthenticationError):
        return f"the LLM at {where} rejected the API key (401); check OPENAI_API_KEY"
    if isinstance(exc, openai.PermissionDeniedError):
        return f"the LLM at {where} refused access (403); check the key's permissions"
    if isinstance(exc, openai.NotFoundError):
        return f"the LLM at {where} does not know this model or path (404); check RAG_LLM_MODEL"
    if isinstance(exc, openai.RateLimitError):
        return f"the LLM at {where} is rate limiting us (429); wait a moment and retry"
    if isinstance(exc, openai.APIStatusError):
        return f"the LLM at {where} failed with HTTP {exc.status_code}; check the server's logs"
    if isinstance(exc, (ValueError, openai.APIResponseValidationError)):
        return (f"the LLM at {where} sent a reply that is not chat-completions JSON; "
                "is OPENAI_BASE_URL an OpenAI-compatible /v1 endpoint?")
    if isinstance(exc, httpx.HTTPError):
        return f"the connection to the LLM at {where} broke off ({type(exc).__name__}); try again"
    return f"the LLM at {where} failed: {type(exc).__name__}: {exc}"


# What a remote model can throw at us: protocol errors, broken connections, non-JSON bodies.
FAILURES = (openai.OpenAIError, httpx.HTTPError, ValueError)


class ChatModel:
    """A model reachable through the OpenAI chat-completions protocol."""

    def __init__(self, base_url: str | None, api_key: str, model: str, timeout: float, max_retries: int = 1,
                 concurrency: int = 4, logprobs: bool = False) -> None:
        self.model = model
        self.logprobs = logprobs  # ask for each streamed token's log-probability (not every server has them)
        self.timeout = timeout
        self.where = base_url or "api.openai.com"
        self.client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=max_retries)
        self.concurrency = concurrency
        self._slots = threading.BoundedSemaphore(concurrency)

    @contextlib.contextmanager
    def _slot(self) -> Iterator[None]:
        """Bound the calls in flight: a burst of users queues here instead of swamping the server."""
        if not self._slots.acquire(timeout=self.timeout):
            raise LLMError(f"all {self.concurrency} LLM slots stayed busy for {self.timeout:g} s; "
                           "the server is overloaded (raise RAG_LLM_CONCURRENCY if it can take more)")
        try:
            yield
        finally:
            self._slots.release()

    def _create(self, messages: Sequence[Message], *, stream: bool, max_tokens: int, temperature: float,
                stop: Sequence[str] | None) -> Any:
        extra: dict[str, Any] = {"logprobs": True} if stream and self.logprobs else {}
        return self.client.chat.completions.create(
            model=self.model,
            messages=list(messages),  # type: ignore[arg-type]
            max_tokens=max_tokens,
            temperature=temperature,
            stop=list(stop) if stop else None,
            stream=stream,
            **extra,
        )

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 384, temperature: float = 0.0,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        """Yield text deltas as they arrive; raise `LLMError` on any failure, even mid-stream.

        Closing the generator (a reader that hung up) closes the HTTP response, so the server
        stops generating, and frees the slot at once.
        """
        tokens = self.stream_tokens(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)
        try:
            for token in tokens:
                yield token.text
        finally:
            tokens.close()  # ends the HTTP call and frees the slot at once

    def stream_tokens(self, messages: Sequence[Message], *, max_tokens: int = 384, temperature: float = 0.0,
                      stop: Sequence[str] | None = None) -> Generator[Token, None, None]:
        """`stream`, each delta with its log-probability when the model is asked for them
        (`logprobs`) and the server sends them (a delta of several tokens: their sum)."""
        with self._slot():
            try:
                response = self._create(messages, stream=True, max_tokens=max_tokens, temperature=temperature,
                                        stop=stop)
                with contextlib.closing(response):
                    for chunk in response:
                        choices = getattr(chunk, "choices", None)
                        if choices and choices[0].delta and choices[0].delta.content:
                            yield Token(choices[0].delta.content, _logprob(choices[0]))
            except FAILURES as exc:
                raise explain(exc, self.where, self.timeout) from exc

    def complete(self, messages: Sequence[Message], *, max_tokens: int = 384, temperature: float = 0.0,
                 stop: Sequence[str] | None = None) -> str:
        try:
            with self._slot():
                response = self._create(messages, stream=False, max_tokens=max_tokens, temperature=temperature,
                                        stop=stop)
        except FAILURES as exc:
            raise explain(exc, self.where, self.timeout) from exc
        if not response.choices:
            raise LLMError(f"the LLM at {self.where} returned no choices")
        return str(response.choices[0].message.content or "")


def _logprob(choice: Any) -> float | None:
    """The log-probability of a streamed choice's delta, if the server sent one."""
    content = getattr(getattr(choice, "logprobs", None), "content", None)
    values = [float(item.logprob) for item in content or () if getattr(item, "logprob", None) is not None]
    return sum(values) if values else None


class LocalServer:
    """llama.cpp's HTTP server for a GGUF, running in this process on a free 127.0.0.1 port.

    llama.cpp contexts are not thread-safe; its server owns the context and queues requests
    into `parallel` slots, so any number of threads may call it at once.
    """

    def __init__(self, model_path: Path, *, threads: int, context: int, slot_dir: Path, parallel: int = 1,
                 repack: bool = True) -> None:
        import xllamacpp

        from rag.local_model import runtime_kernels

        kernels = runtime_kernels()
        if "hint" in kernels:
            log.warning("%s", kernels["hint"])
        slot_dir.mkdir(parents=True, exist_ok=True)
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = context * parallel
        params.n_parallel = parallel
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.verbosity = -1
        params.endpoint_slots = True
        # Weights repacked for the wide kernels unless `Settings.llm_repack` is off (prompts ~1.35x
        # faster as stored, other drafts); never where repacking means the AMX kernels, which crash
        # on the first prompt (`runtime_kernels`)
        params.no_extra_bufts = not repack or bool(kernels.get("amx"))
        params.slot_save_path = str(slot_dir) + os.sep
        self._server = xllamacpp.Server(params)
        self.root_url = str(self._server.listening_address).rstrip("/")
        self.base_url = self.root_url + "/v1"
        self._key = f"{model_path.name}:{model_path.stat().st_size}:{context}"
        self._slot_dir = slot_dir

    def prime(self, prefix: Sequence[Message]) -> None:
        """Load the KV cache of a fixed prompt prefix, computing and saving it the first time.

        Every answer starts with the same system prompt and examples (~350 tokens, ~6 s of
        prompt processing on 2 cores). Saved once to disk, they are restored in milliseconds
        by every later process, which is what makes a cold `rag ask` fast.
        """
        digest = hashlib.sha256((self._key + json.dumps(list(prefix))).encode()).hexdigest()[:20]
        name = f"prefix-{digest}.bin"
        with httpx.Client(base_url=self.root_url, timeout=120) as http:
            if (self._slot_dir / name).is_file():
                restored = http.post("/slots/0", params={"action": "restore"}, json={"filename": name})
                if restored.status_code == 200:
                    return
            warm = [*prefix, {"role": "user", "content": "Sources:\n"}]
            http.post("/v1/chat/completions", json={"messages": warm, "max_tokens": 1}).raise_for_status()
            http.post("/slots/0", params={"action": "save"}, json={"filename": name})


_local_servers: dict[tuple[str, int, int, bool], LocalServer] = {}
_local_lock = threading.Lock()


def local_server(model_path: Path, threads: int, context: int, slot_dir: Path, repack: bool = True) -> LocalServer:
    """One llama.cpp server per model file and process: the weights are loaded once (1.9 GB)."""
    key = (str(model_path), threads, context, repack)
    with _local_lock:
        if key not in _local_servers:
            _local_servers[key] = LocalServer(model_path, threads=threads, context=context, slot_dir=slot_dir,
                                              repack=repack)
        return _local_servers[key]


def make_chat_model(settings: Settings, prefix: Sequence[Message] = ()) -> ChatModel:
    """The configured model; for the local one, `prefix` (the fixed start of every prompt) is
    pre-loaded into llama.cpp's cache."""
    if settings.llm_backend == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        if not key and not settings.openai_base_url:
            raise LLMError("RAG_LLM=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a keyless local server)")
        return ChatModel(settings.openai_base_url, key or "not-needed", settings.llm_model_name, settings.llm_timeout,
                         concurrency=settings.llm_concurrency)
    model_path = Path(settings.llm_model) if settings.llm_model and Path(settings.llm_model).is_file() else None
    server = local_server(model_path or ensure_local_model(settings.model_cache_dir),
                          settings.llm_threads, settings.llm_context, settings.model_cache_dir / "slots",
                          settings.llm_repack)
    if prefix:
        with contextlib.suppress(httpx.HTTPError):  # only a speed-up: answering works without it
            server.prime(prefix)
    return ChatModel(server.base_url, "local", settings.llm_model_name, settings.llm_timeout, max_retries=0,
                     concurrency=settings.llm_concurrency, logprobs=settings.certainty_check)
