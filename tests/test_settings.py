from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.settings import DEFAULT_OPENAI_MODEL, LOCAL_MODEL_NAME, Settings


def test_defaults_are_local_and_offline() -> None:
    s = Settings()
    assert s.llm_backend == "local"
    assert s.llm_model_name == LOCAL_MODEL_NAME
    assert s.embedding == "e5"
    assert s.chroma_url is None


def test_openai_key_switches_backend_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    assert Settings().llm_backend == "openai"
    assert Settings().llm_model_name == DEFAULT_OPENAI_MODEL
    monkeypatch.setenv("RAG_LLM", "local")
    assert Settings().llm_backend == "local"


def test_env_vars_map_to_fields(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "i"))
    monkeypatch.setenv("RAG_LLM_MODEL", "my-model")
    monkeypatch.setenv("RAG_CHROMA_URL", "http://127.0.0.1:8123/")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = Settings()
    assert s.index_dir == tmp_path / "i"
    assert s.llm_model_name == "my-model"
    assert s.chroma_url == "http://127.0.0.1:8123"
    assert s.openai_base_url == "http://127.0.0.1:9/v1"


def test_toml_file_is_read_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "rag.toml").write_text('top_k = 3\nretrieve_k = 6\ncollection = "news"\n')
    s = Settings()
    assert (s.top_k, s.retrieve_k, s.collection) == (3, 6, "news")
    monkeypatch.setenv("RAG_TOP_K", "2")
    assert Settings().top_k == 2


def test_named_config_file_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ValueError, match="not a readable file"):
        Settings()


@pytest.mark.parametrize(
    "field,value",
    [("llm", "gpt"), ("chroma_url", "localhost:8000"), ("embedding", "bert"), ("top_k", "0"),
     ("ui_auth", "nopassword"), ("collection", "a b")],
)
def test_bad_values_are_rejected(monkeypatch: pytest.MonkeyPatch, field: str, value: str) -> None:
    monkeypatch.setenv(f"RAG_{field.upper()}", value)
    with pytest.raises(ValidationError):
        Settings()


def test_unknown_config_keys_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "rag.toml").write_text("topk = 3\n")
    with pytest.raises(ValidationError):
        Settings()


def test_public_dict_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("RAG_API_TOKEN", "tok-secret")
    monkeypatch.setenv("RAG_UI_AUTH", "ann:pw-secret")
    shown = str(Settings().public_dict())
    assert "secret" not in shown
    assert "********" in shown
