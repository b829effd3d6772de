"""rag: ask questions about news articles and get answers that cite their sources."""

from rag.assistant import AnswerStream, Assistant
from rag.llm import LLMError
from rag.prompts import ABSTAIN_TEXT, QuestionError
from rag.retrieval import Passage
from rag.schema import Answer, Citation
from rag.settings import Settings
from rag.store import StoreError

__all__ = ["ABSTAIN_TEXT", "Answer", "AnswerStream", "Assistant", "Citation", "LLMError", "Passage",
           "QuestionError", "Settings", "StoreError"]
__version__ = "0.1.0"
