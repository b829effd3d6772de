"""One `Settings` object for the whole app, read from env vars (`RAG_*`) and an optional TOML file.

The object is built once at the edge (CLI, UI, API) and passed explicitly; nothing below reads the
environment on its own, so tests and embedding apps can construct exactly the settings they want.
"""

from __future__ import annotations

import os
import sysconfig
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def in_source_checkout() -> bool:
    """Whether this package runs from a clone of the project (editable install or `python -m rag`
    beside pyproject.toml), rather than from a wheel installed into site-packages."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data" / "articles").is_dir()


def user_data_dir() -> Path:
    """Where an installed rag keeps its index: $XDG_DATA_HOME/rag, else ~/.local/share/rag."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rag"


def default_articles_dir() -> Path:
    """The bundled sample articles: data/articles in a checkout, <prefix>/share/rag/articles
    when installed from a wheel (pyproject's data-files)."""
    if in_source_checkout():
        return PROJECT_ROOT / "data" / "articles"
    return Path(sysconfig.get_path("data")) / "share" / "rag" / "articles"


def default_index_dir() -> Path:
    """index/ in a checkout (as the README says); for an installed package, never inside
    site-packages: the user's data folder, the same from whatever directory `rag` is run."""
    return PROJECT_ROOT / "index" if in_source_checkout() else user_data_dir() / "index"


DEFAULT_ARTICLES_DIR = default_articles_dir()
DEFAULT_INDEX_DIR = default_index_dir()
DEFAULT_CONFIG_FILE = Path("rag.toml")

LOCAL_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
LOCAL_EMBEDDING = "e5"


def _config_file() -> Path | None:
    """The TOML file to read: `RAG_CONFIG` if set (must exist), else ./rag.toml when present."""
    named = os.environ.get("RAG_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ValueError(f"RAG_CONFIG points to {path}, which is not a readable file")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


class Settings(BaseSettings):
    """Everything a user can configure. Field names map to env vars `RAG_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_",
        extra="forbid",
        validate_default=True,
        populate_by_name=True,
    )

    articles_dir: Path = Field(DEFAULT_ARTICLES_DIR, description="Folder of articles indexed by default")
    index_dir: Path = Field(DEFAULT_INDEX_DIR, description="Where the embedded Chroma index lives")
    collection: str = Field("articles", min_length=3, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]+[A-Za-z0-9]$")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; unset = embedded store")

    llm: Literal["local", "openai"] | None = Field(None, description="unset: openai when OPENAI_API_KEY is set")
    llm_model: str | None = Field(None, description="Model name sent to the OpenAI-compatible endpoint")
    llm_timeout: float = Field(120.0, gt=0, le=86_400, allow_inf_nan=False,
                               description="Seconds before an LLM call is abandoned")
    llm_max_tokens: int = Field(384, ge=16, le=8192)
    llm_concurrency: int = Field(4, ge=1, le=1024, description="LLM calls in flight at once; more wait their turn "
                                 "(size it to the server: vLLM batches many, llama.cpp runs its slots)")
    queue_limit: int = Field(64, ge=0, le=100_000, description="Questions `rag serve` lets wait for an LLM slot; "
                             "more are refused at once with 429 and Retry-After")
    llm_threads: int = Field(max(1, os.cpu_count() or 1), ge=1, description="CPU threads for the local model")
    llm_context: int = Field(4096, ge=1024, le=32768, description="Context window of the local model (tokens)")
    llm_repack: bool = Field(True, description="Let llama.cpp repack the local model's weights for its wide "
                             "kernels (its default); false reads prompts ~1.35x faster and decodes ~1.2x slower, "
                             "but cost 2 of 15 right answers on CI's dev subset (docs/llm-runtime.md)")
    model_cache_dir: Path = Field(Path.home() / ".cache" / "rag", description="Where the local GGUF is assembled")

    embedding: str = Field(LOCAL_EMBEDDING, description="'e5' (bundled) or 'openai:<model name>'")
    fusion: Literal["use", "none"] = Field("use", description="Second dense model fused by reciprocal rank")
    chunk_size: int = Field(96, ge=32, le=2048, description="Chunk size in tokens")
    chunk_overlap: int = Field(16, ge=0, le=512)
    top_k: int = Field(4, ge=1, le=50, description="Passages handed to the LLM")
    retry_off_question: bool = Field(True, description="When an answer cites passages that lack the names or "
                                     "dates the question gives, answer once more from the retrieved passages "
                                     "whose articles have them (one more LLM call), else decline")
    retry_one_report: bool = Field(True, description="When the checks withhold an answer drawn from passages of "
                                   "several reports, answer once more from the best-ranked report's passages alone "
                                   "(one more LLM call over a shorter prompt); when it only restated the question, "
                                   "from the first passage alone; else decline")
    certainty_check: bool = Field(True, description="Withhold an answer the bundled model wrote unsurely (the mean "
                                  "log-probability of its five least sure words below the threshold fitted on "
                                  "the dev sets, "
                                  "rag.confidence); another model through OPENAI_BASE_URL is never judged this way")
    split_compound: bool = Field(True, description="Answer a question about two dates or events (\"how many in "
                                 "February, and how many in June?\") one part at a time, each from its own "
                                 "passages; shown when every part is answered, else declined")
    focus_pinned: bool = Field(False, description="When some retrieved passages' articles hold every name and "
                               "date the question gives, hand the LLM only those (not the near-duplicate "
                               "reports of other years or summits ranked among them); off: on dev it added "
                               "wrong answers from a report that mentions the asked event in passing")
    group_sources: bool = Field(False, description="Give the LLM each article's passages together under one "
                                "line naming its outlet, date and title, instead of that label on every passage "
                                "in rank order: ~60 fewer prompt tokens (~1 s sooner), but fewer right answers "
                                "and more wrong ones on the fresh held-out set (docs/quality.md)")
    strip_furniture: bool = Field(False, description="Drop news-site furniture lines from articles before "
                                  "chunking (ad markers, video promos, 'Read also' links to other stories, "
                                  "copyright footers; rag.furniture): passages without them (a quarter of those given "
                                  "to the LLM on the public questions carried some), no shorter prompts, and on "
                                  "the dev sets 3 fewer right answers in 88 and 1 more wrong (docs/quality.md). "
                                  "Changing it re-chunks the affected articles on the next `rag index`")
    companion_reports: bool = Field(True, description="When the best-ranked report has a companion (another "
                                    "report of the same event, published a day apart, e.g. a first report and its "
                                    "update in another language: rag.companions), put that report's best passage "
                                    "second among those the LLM reads")
    retrieve_k: int = Field(8, ge=1, le=200, description="Passages retrieved and reported (>= top_k)")
    rerank_depth: int = Field(20, ge=0, le=200, description="Fused candidates re-ranked by the dates, outlet and "
                              "'latest' a question names, against article metadata (0: off)")
    window: int = Field(1, ge=0, le=5, description="Neighbouring chunks added on each side of the best passages "
                        "given to the LLM (0: chunks alone)")
    window_passages: int = Field(1, ge=0, le=50, description="How many of the best passages are widened "
                                 "(each widened one costs prompt time)")
    translate: bool = Field(True, description="When the LLM abstains over passages in another language than the "
                            "question, translate them with the LLM and ask again")
    index_language: str = Field("en", pattern=r"^[a-z]{2}$", description="The index's main language (ISO 639-1): "
                                "articles in another get a translation into it, made once at index time")
    translate_articles: bool = Field(True, description="Translate articles in another language than "
                                     "index_language when indexing (with the configured LLM; cached)")
    max_question_chars: int = Field(2000, ge=10, le=100_000)

    api_token: SecretStr | None = Field(None, description="Bearer token required for API writes")
    ui_auth: SecretStr | None = Field(None, description="user:password protecting the UI")
    admin_password: SecretStr | None = Field(None, description="Password to add or remove articles in the UI")
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "RAG_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "RAG_OPENAI_BASE_URL")
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = _config_file()
        if config is not None:
            try:
                tomllib.loads(config.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ValueError(f"the settings file {config} cannot be read: {exc}") from None
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config))
        return tuple(sources)

    @field_validator("chroma_url", "openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        try:
            parts = urlsplit(value)
            _ = parts.port  # a port that is not a number raises here
        except ValueError as exc:
            raise ValueError(f"is not a valid URL ({exc}): {value!r}") from None
        if not parts.hostname:
            raise ValueError(f"has no host name: {value!r}")
        return value.rstrip("/")

    @field_validator("embedding")
    @classmethod
    def _embedding_name(cls, value: str) -> str:
        if value != LOCAL_EMBEDDING and not (value.startswith("openai:") and len(value) > len("openai:")):
            raise ValueError(f"must be 'e5' or 'openai:<model>', got {value!r}")
        return value

    @field_validator("ui_auth")
    @classmethod
    def _user_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and ":" not in value.get_secret_value():
            raise ValueError("must look like user:password")
        return value

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        if self.retrieve_k < self.top_k:
            raise ValueError("retrieve_k must be at least top_k")
        return self

    @property
    def llm_backend(self) -> Literal["local", "openai"]:
        """`local` unless asked otherwise or an OpenAI key is present."""
        if self.llm is not None:
            return self.llm
        return "openai" if self.openai_api_key is not None else "local"

    @property
    def llm_model_name(self) -> str:
        if self.llm_model:
            return self.llm_model
        return LOCAL_MODEL_NAME if self.llm_backend == "local" else DEFAULT_OPENAI_MODEL

    def public_dict(self) -> dict[str, Any]:
        """The effective settings with secrets masked, for `rag config` and status lines."""
        out: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = "********"
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        out["llm"] = self.llm_backend
        out["llm_model"] = self.llm_model_name
        return out
