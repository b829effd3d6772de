"""Logging set up once, by the CLI: a level, and plain or JSON lines (for log collectors).

Modules only ever call `logging.getLogger(__name__)`; what is printed, and how, is decided here.
Messages never carry secrets or whole article texts: they name questions by their first 80
characters and articles by file name.
"""

from __future__ import annotations

import json
import logging
import sys
import time

LEVELS = ("debug", "info", "warning", "error")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup(level: str = "warning", as_json: bool = False) -> None:
    """Send `rag.*` records at `level` and above to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("rag")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
