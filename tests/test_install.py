"""Installed like a library: a wheel, installed non-editable into a fresh virtual environment,
indexes its bundled sample articles and answers, run from another directory.

The wheel is built from a copy of the source tree (nothing written into the checkout). The fresh
environment gets the project's dependencies from this one's site-packages through a `.pth` line
(no network here, and reinstalling chromadb and gradio would take minutes); the `rag` package
itself comes only from the wheel. The answering LLM is the OpenAI-protocol stub.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.fixtures.openai_stub import OpenAIStub, extractive_reply
from tests.fixtures.settings import ROOT

TOP_LEVEL_SKIPPED = {".git", ".venv", "index", "index-dev", "reports", "build", "dist", "rag.egg-info", ".mypy_cache",
                     ".ruff_cache", ".pytest_cache"}


def skipped(folder: str, names: list[str]) -> set[str]:
    """What not to copy: the checkout's own environment, indexes and caches (top level only)."""
    top = Path(folder) == ROOT
    return {n for n in names if n == "__pycache__" or (top and n in TOP_LEVEL_SKIPPED)}


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=skipped)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(source)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("rag-*.whl")
    return wheel


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path("
                                "'purelib'))"], check=True, capture_output=True, text=True).stdout.strip())
    (site / "rag-test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True)
    return venv


def test_a_wheel_installed_elsewhere_indexes_its_samples_and_answers(tmp_path: Path, stub: OpenAIStub) -> None:
    venv = fresh_venv(tmp_path, build_wheel(tmp_path))
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(home), "RAG_LLM": "openai",
           "OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": "sk-test", "RAG_LLM_MODEL": "stub-model",
           "RAG_TRANSLATE_ARTICLES": "false", "TMPDIR": os.environ.get("TMPDIR", "/tmp")}

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import rag.settings as s; print(s.__file__)"],
                           cwd=elsewhere, env=env, check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(venv)), where  # the wheel's copy, not the checkout's

    indexed = subprocess.run([str(venv / "bin" / "rag"), "index", "--json"], cwd=elsewhere, env=env,
                             capture_output=True, text=True, timeout=600)
    assert indexed.returncode == 0, indexed.stderr[-2000:]
    report = json.loads(indexed.stdout)
    assert report["articles_total"] == 5 and len(report["added"]) == 5  # the samples shipped in the wheel
    index_dir = home / ".local" / "share" / "rag" / "index"
    assert (index_dir / "chroma.sqlite3").is_file()  # in the user's data folder...
    assert not list(venv.rglob("chroma.sqlite3"))  # ...never inside the installation

    stub.behaviour.reply = extractive_reply
    question = "How much money did Trudeau announce for military equipment?"
    asked = subprocess.run([str(venv / "bin" / "rag"), "ask", "--json", question], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=600)
    assert asked.returncode == 0, asked.stderr[-2000:]
    answer = json.loads(asked.stdout)
    assert answer["citations"], answer
    assert answer["citations"][0]["source"] == "004_ca42ec8f4e875d75.txt" and "500" in answer["answer"]
