"""rag: ask questions about news articles and get answers that cite their sources.

The public names load on first use (PEP 562), so `import rag` (and `rag --help`) stays light:
chromadb, LlamaIndex, gradio and FastAPI are imported only by the modules that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.assistant import AnswerStream, Assistant
    from rag.llm import LLMError
    from rag.prompts import ABSTAIN_TEXT, QuestionError
    from rag.schema import Answer, Citation, Passage
    from rag.settings import Settings
    from rag.store import StoreError

_HOMES = {"ABSTAIN_TEXT": "rag.prompts", "Answer": "rag.schema", "AnswerStream": "rag.assistant",
          "Assistant": "rag.assistant", "Citation": "rag.schema", "LLMError": "rag.llm", "Passage": "rag.schema",
          "QuestionError": "rag.prompts", "Settings": "rag.settings", "StoreError": "rag.store"}
__all__ = ["ABSTAIN_TEXT", "Answer", "AnswerStream", "Assistant", "Citation", "LLMError", "Passage",
           "QuestionError", "Settings", "StoreError"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
