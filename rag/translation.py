"""Articles in another language than the index's, translated once when they are indexed.

A small model reads a passage in Italian or Indonesian badly: it abstains over it, or answers
with a misspelt name. Translating at question time costs the reader seconds on every question;
translating each chunk once, at index time, costs the indexer seconds once. The translations are
kept in a cache keyed by model, target language, prompt and chunk text, written chunk by chunk,
so a killed `rag index` resumes where it stopped and a `--rebuild` translates nothing again.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

from rag.calendar_names import restore_calendar_names
from rag.errors import RagError
from rag.kept_names import kept_names, lost_names
from rag.kept_numbers import joined_numbers, number_faults, sentence_by_sentence
from rag.language import detect
from rag.language import name as language_name
from rag.llm import ChatModel
from rag.prompts import TRANSLATE_PROMPT, translate_messages
from rag.settings import Settings

log = logging.getLogger(__name__)

CACHE_NAME = "translations.sqlite3"


class TranslationError(RagError, RuntimeError):
    """A translation could not be made; the article stays indexed in its own language."""


def llm_translation(model: ChatModel, text: str, language: str) -> str:
    """`text` translated into `language` (ISO code) by `model` in one request, its weekday and
    month names and split numbers mended (`mended`)."""
    messages = translate_messages(text, language_name(language))
    translation = model.complete(messages, max_tokens=min(1024, len(text) // 2 + 64)).strip()
    return mended(text, translation, language)


def mended(original: str, translation: str, language: str) -> str:
    """What can be put right in a translation without a model: the original's weekday and month
    names (`rag.calendar_names`) and numbers split by a space ("1. 3 million", `rag.kept_numbers`)."""
    return joined_numbers(original, restore_calendar_names(original, translation, language))


def faithful_translation(model: ChatModel, text: str, language: str) -> str:
    """The translation the app uses at question time (cached per process): one request, and
    sentence by sentence when that one loses or changes a number (`checked`; a lone passage
    shows no names its translator keeps)."""
    return checked(text, llm_translation(model, text, language),
                   lambda sentence: llm_translation(model, sentence, language), language)


def checked(text: str, translation: str, translate: Callable[[str], str], language: str,
            kept: frozenset[str] = frozenset()) -> str:
    """`translation` when it keeps the numbers of `text` (`rag.kept_numbers`) and the `kept`
    names (`rag.kept_names`), else `text` translated again sentence by sentence by `translate`,
    a sentence still at fault staying in its own language."""
    source = detect(text)  # the whole passage's language: its sentences alone are often too short to tell

    def faults(original: str, translated: str) -> set[str]:
        return number_faults(original, translated, language, source) | lost_names(original, translated, kept)

    found = faults(text, translation)
    if not found:
        return translation
    log.info("translation of a passage lost or changed %s: translating it sentence by sentence", sorted(found))
    return sentence_by_sentence(text, translate, language, faults)


def needs_translation(article_language: str, settings: Settings) -> bool:
    """Whether an article's passages get companions in the index's language."""
    language = article_language.strip().lower()
    return settings.translate_articles and bool(language) and language != settings.index_language


class TranslationCache:
    """Translations by key in one SQLite file: safe across processes, one row per chunk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute("CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, text TEXT NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise TranslationError(f"cannot use the translation cache {path}: {exc}; check RAG_MODEL_CACHE_DIR"
                                   ) from exc

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def get(self, key: str) -> str | None:
        try:
            with self._lock, closing(self._connect()) as db:
                row = db.execute("SELECT text FROM translations WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise TranslationError(f"cannot read the translation cache {self.path}: {exc}") from exc
        return None if row is None else str(row[0])

    def put(self, key: str, text: str) -> None:
        try:
            with self._lock, closing(self._connect()) as db, db:
                db.execute("INSERT OR REPLACE INTO translations (key, text) VALUES (?, ?)", (key, text))
        except sqlite3.Error as exc:
            raise TranslationError(f"cannot write the translation cache {self.path}: {exc}") from exc


# Bumped when the checks a cached translation went through change, so it is made again.
CHECKS_VERSION = "3"  # 3: ordinals are not numbers to keep (2 was a trial, taken out)


def cache_key(model: str, target: str, text: str) -> str:
    """What makes two translations interchangeable: the model, the language, the prompt, the
    checks it passed (`CHECKS_VERSION`), the text."""
    digest = hashlib.sha256("\x00".join((model, target, TRANSLATE_PROMPT, CHECKS_VERSION, text)).encode())
    return digest.hexdigest()


class Translator:
    """Translates chunks into the index's language with the configured LLM, through the cache.

    The LLM is started only when a chunk is missing from the cache: an index run with nothing new
    to translate never loads a model.
    """

    def __init__(self, settings: Settings, make_model: Callable[[], ChatModel] | None = None,
                 cache: TranslationCache | None = None, target: str | None = None) -> None:
        self.settings = settings
        self.target = target or settings.index_language  # another: passages for a question in that language
        self.cache = cache or TranslationCache(Path(settings.model_cache_dir) / CACHE_NAME)
        self._make_model = make_model or (lambda: _default_model(settings))
        self._model: ChatModel | None = None
        self.calls = 0
        self.seconds = 0.0

    @property
    def model(self) -> ChatModel:
        if self._model is None:
            self._model = self._make_model()
        return self._model

    def translate(self, texts: Sequence[str]) -> list[str]:
        """One article's chunks in the index's language; each translation is cached as soon as
        it is made. Each chunk in one request first; then a chunk whose translation lost or
        changed a number (`rag.kept_numbers`), or lost a name the translator keeps elsewhere in
        the article (`rag.kept_names`), again sentence by sentence, each sentence cached too.
        Cached translations are checked again when read: the cache may predate a fix to the checks."""
        first = [self._cached(text) for text in texts]
        kept = kept_names(zip(texts, first, strict=True))
        return [checked(text, translation, lambda sentence: self._cached(sentence, required=False), self.target, kept)
                for text, translation in zip(texts, first, strict=True)]

    def _cached(self, text: str, required: bool = True) -> str:
        """The translation of `text` from the cache, else from one request (then cached)."""
        key = cache_key(self.settings.llm_model_name, self.target, text)
        cached = self.cache.get(key)
        if cached is None:
            cached = self._requested(text, required)
            self.cache.put(key, cached)
        return mended(text, cached, self.target)

    def _requested(self, text: str, required: bool = True) -> str:
        """One translation request, counted; an empty reply is an error when `required` (a single
        sentence left untranslated is kept in its own language instead)."""
        started = time.perf_counter()
        translation = llm_translation(self.model, text, self.target)
        self.calls += 1
        self.seconds += time.perf_counter() - started
        if not translation and required:
            raise TranslationError("the LLM returned an empty translation")
        return translation


def _default_model(settings: Settings) -> ChatModel:
    from rag.llm import make_chat_model

    return make_chat_model(settings)
