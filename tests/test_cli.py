"""The `rag` command end to end in-process: real index, real stub LLM server, real output."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from tests.fixtures.assistants import cite_source_with
from tests.fixtures.openai_stub import OpenAIStub

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, articles: Path, stub: OpenAIStub) -> OpenAIStub:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_ARTICLES_DIR", str(articles))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-cli")
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    monkeypatch.setenv("RAG_LLM_MODEL", "stub-model")
    return stub


def test_help_explains_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("index", "ask", "chat", "eval", "ui", "serve", "bench", "config", "status"):
        assert command in result.output


def test_config_masks_secrets(env: OpenAIStub) -> None:
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["llm"] == "openai" and shown["openai_api_key"] == "********"
    assert "sk-test-cli" not in result.output


def test_invalid_setting_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_LLM", "gpt5")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert "invalid setting llm" in result.output
    assert "Traceback" not in result.output


def test_index_ask_status_flow(env: OpenAIStub) -> None:
    first = runner.invoke(app, ["index", "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.output)
    assert len(report["added"]) == 5 and report["chunks_total"] > 5
    second = runner.invoke(app, ["index"])
    assert "nothing to embed" in second.output

    env.behaviour.reply = cite_source_with("$500 million", "Trudeau announced $500 million [{n}].")
    result = runner.invoke(app, ["ask", "--json", "How much money did Trudeau announce for military equipment?"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["answer"] == "Trudeau announced $500 million [1]."
    assert data["abstained"] is False
    assert data["citations"][0]["source"] == "004_ca42ec8f4e875d75.txt"
    assert data["citations"][0]["n"] == 1 and data["citations"][0]["score"] > 0
    assert {"source", "score", "text"} == set(data["retrieved"][0])
    assert "total" in data["timings_ms"]

    plain = runner.invoke(app, ["ask", "How much money did Trudeau announce for military equipment?"])
    assert "Trudeau announced $500 million [1]." in plain.output
    assert "[1] 004_ca42ec8f4e875d75.txt" in plain.output

    status = runner.invoke(app, ["status", "--json"])
    assert json.loads(status.output)["articles"] == 5


def test_ask_errors_are_one_line(env: OpenAIStub) -> None:
    runner.invoke(app, ["index"])
    empty = runner.invoke(app, ["ask", "   "])
    assert empty.exit_code == 1 and "question is empty" in empty.output
    env.behaviour.status = 401
    denied = runner.invoke(app, ["ask", "Who is Kuleba?"])
    assert denied.exit_code == 1 and "401" in denied.output and "Traceback" not in denied.output


def test_ask_without_index_says_how_to_fix(env: OpenAIStub) -> None:
    result = runner.invoke(app, ["ask", "Who is Kuleba?"])
    assert result.exit_code == 1 and "rag index" in result.output


def test_chat_keeps_history_for_follow_ups(env: OpenAIStub) -> None:
    runner.invoke(app, ["index"])
    env.behaviour.reply = cite_source_with("useless", "He called them useless [{n}].")
    result = runner.invoke(app, ["chat"], input="Who is Russia's ambassador to Canada?\nWhat did he say about "
                                                "the sanctions?\nexit\n")
    assert result.exit_code == 0, result.output
    rewrite_requests = [r for r in env.behaviour.requests if "Rewritten question" in r["messages"][-1]["content"]]
    assert len(rewrite_requests) == 1  # only the follow-up needed rewriting
    assert "Who is Russia's ambassador to Canada?" in rewrite_requests[0]["messages"][-1]["content"]


def test_eval_writes_json_report(env: OpenAIStub, tmp_path: Path) -> None:
    runner.invoke(app, ["index"])
    env.behaviour.reply = cite_source_with("$500 million", "Trudeau announced $500 million at the G20 [{n}].")
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(c) for c in [
        {"id": "a", "question": "How much money did Trudeau announce for military equipment?",
         "expect": [["500 million"], ["g20", "bali"]], "sources": ["004_ca42ec8f4e875d75.txt"], "answerable": True,
         "kind": "factoid"},
        {"id": "b", "question": "What is the capital of Australia?", "expect": [], "sources": [],
         "answerable": False, "kind": "unanswerable"},
    ]) + "\n")
    out = tmp_path / "reports" / "eval.json"
    page = tmp_path / "reports" / "eval.md"
    result = runner.invoke(app, ["eval", str(questions), "--json", str(out), "--report", str(page)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["overall"]["answer_accuracy"] == 1.0
    assert report["overall"]["citation_accuracy"] == 1.0
    assert report["per_kind"]["factoid"]["hit@1"] == 1.0
    # The stub abstains when no retrieved passage holds "$500 million", as for Australia.
    assert report["per_kind"]["unanswerable"]["abstention_accuracy"] == 1.0
    assert report["cases"][1]["abstained"] is True
    assert "factoid" in result.output and "abstain" in result.output and "1.00" in result.output
    markdown = page.read_text()
    assert "| factoid | 1 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 |" in markdown
    assert "![Scores per kind](eval.png)" in markdown
    assert "Cases that lost points" not in markdown  # both cases scored full marks
    assert (tmp_path / "reports" / "eval.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_bad_file_is_one_line(env: OpenAIStub, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n")
    result = runner.invoke(app, ["eval", str(bad)])
    assert result.exit_code == 1 and "bad.jsonl:1" in result.output


def test_ui_refuses_public_host_without_auth() -> None:
    result = runner.invoke(app, ["ui", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--auth" in result.output and "Traceback" not in result.output


def test_serve_refuses_public_host_without_token(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "RAG_API_TOKEN" in result.output and "--auth" in result.output
    monkeypatch.setenv("RAG_API_TOKEN", "t")
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])  # the page still needs --auth
    assert result.exit_code == 2 and "--auth" in result.output and "RAG_API_TOKEN" not in result.output


def test_status_says_which_llama_cpp_kernels_run_the_bundled_model(monkeypatch: pytest.MonkeyPatch,
                                                                   bundled_index: Path) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(bundled_index))
    monkeypatch.setenv("RAG_LLM", "local")
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    runtime = json.loads(result.output)["llm_runtime"]
    assert runtime["runtime"].startswith("xllamacpp ") and "AVX2" in runtime["kernels"]
    if shutil.which("cmake") and shutil.which("c++") and os.environ.get("NATIVE_LLM", "yes") == "yes":
        assert runtime["native"] is True, runtime  # `make install` built it for this CPU
        assert "amx" not in runtime, runtime  # ... without the AMX kernels that crash (Makefile)


def test_a_generic_runtime_on_an_avx512_cpu_gets_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import xllamacpp

    from rag import local_model

    monkeypatch.setattr(local_model, "cpu_flags", lambda: {"avx2", "avx512f", "avx512_vnni"})
    monkeypatch.setattr(xllamacpp, "get_system_info", lambda: "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | FMA = 1 | ")
    generic = local_model.runtime_kernels()
    assert generic["native"] is False and "make install" in str(generic["hint"])
    monkeypatch.setattr(local_model, "cpu_flags", lambda: {"avx2"})  # nothing better to build for
    assert local_model.runtime_kernels()["native"] is True and "hint" not in local_model.runtime_kernels()


def test_a_runtime_with_amx_kernels_is_told_and_bypassed(monkeypatch: pytest.MonkeyPatch) -> None:
    """AMX kernels crash llama.cpp's first prompt on Sapphire Rapids (SIGSEGV at ldtilecfg, issue
    #20824): `make install` builds without them, and a build that has them loads no AMX buffers."""
    import xllamacpp

    from rag import local_model

    monkeypatch.setattr(local_model, "cpu_flags", lambda: {"avx2", "avx512f", "amx_int8"})
    monkeypatch.setattr(xllamacpp, "get_system_info",
                        lambda: "CPU : AVX = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 1 | ")
    kernels = local_model.runtime_kernels()
    assert kernels["amx"] is True and "make install" in str(kernels["hint"]) and "AMX" in str(kernels["hint"])
    monkeypatch.setattr(xllamacpp, "get_system_info", lambda: "CPU : AVX = 1 | AVX2 = 1 | AVX512 = 1 | ")
    assert "amx" not in local_model.runtime_kernels()
