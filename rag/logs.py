"""Logging set up once, by the CLI: a level, and plain or JSON lines (for log collectors).

Modules only ever call `logging.getLogger(__name__)`; what is printed, and how, is decided here.
Messages never carry secrets or whole article texts: they name questions by their first 80
characters and articles by file name.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid

LEVELS = ("debug", "info", "warning", "error")

# The request a log line belongs to (`rag serve`, `rag mcp`): set per request, inherited by the
# threads the request's work runs on (AnyIO copies the context), "-" outside any request.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def new_request_id(offered: str | None = None) -> str:
    """Use the client's `X-Request-ID` when it is a sane token (so its logs and ours line up),
    else a fresh one; either way it becomes this context's id."""
    rid = offered if offered and _CLIENT_ID.fullmatch(offered) else uuid.uuid4().hex[:16]
    request_id.set(rid)
    return rid


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
                 "level": record.levelname.lower(), "logger": record.name,
                 "request_id": getattr(record, "request_id", "-"), "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup(level: str = "warning", as_json: bool = False) -> None:
    """Send `rag.*` records at `level` and above to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if as_json else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("rag")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
