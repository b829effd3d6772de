"""The layers of docs/architecture.md, checked: imports go one way, and `import rag` stays light.

    schema, errors  <-  engine (rag/*.py)  <-  serve / evaluation / cli  <-  bench
                                            ui (the page) sits beside serve; only the CLI and the
                                            server's mount (rag/serve/app.py) may import it

Every `import` and `from … import` in rag/ and ui/ is read from the source (at any depth: in a
function, under TYPE_CHECKING), so a lazy import cannot get around the rule.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOUNDATION = {"rag.schema", "rag.errors"}
# Which layers a module of each layer must never import (prefix match on the imported module).
FORBIDDEN = {
    "foundation": ("rag", "ui"),
    "engine": ("rag.serve", "rag.evaluation", "rag.bench", "rag.cli", "ui"),
    "evaluation": ("rag.serve", "rag.bench", "rag.cli", "ui"),
    "serve": ("rag.bench", "rag.evaluation", "rag.cli", "ui"),
    "cli": (),
    "bench": ("rag.cli", "rag.serve", "ui"),
    "ui": ("rag.serve", "rag.evaluation", "rag.bench", "rag.cli"),
}
# The only places the front end may be imported from.
UI_IMPORTERS = {"rag.cli", "rag.serve.app"}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    if module.startswith("ui"):
        return "ui"
    for name in ("serve", "evaluation", "bench"):
        if module == f"rag.{name}" or module.startswith(f"rag.{name}."):
            return name
    if module in ("rag.cli", "rag.__main__"):
        return "cli"
    return "engine"


def imports(path: Path) -> list[tuple[int, list[str]]]:
    """(line, the modules it may import) for every import statement in the file: `from a import b`
    may import the module a.b as well as a."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, [alias.name]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, [node.module, *(f"{node.module}.{a.name}" for a in node.names)]))
    return found


def banned(importer: str, target: str) -> bool:
    if not (target in ("rag", "ui") or target.startswith(("rag.", "ui."))):
        return False
    if target.split(".")[0] == "ui" and importer in UI_IMPORTERS:
        return False
    return any(target == b or target.startswith(b + ".") for b in FORBIDDEN[layer(importer)])


def violations(files: list[Path], root: Path = ROOT) -> list[str]:
    out = []
    for path in files:
        module = module_name(path, root)
        for line, targets in imports(path):
            hit = next((t for t in targets if banned(module, t)), None)
            if hit:
                out.append(f"{path.relative_to(root)}:{line}: {layer(module)} module {module} imports {hit}")
    return out


def sources() -> list[Path]:
    return sorted([*ROOT.joinpath("rag").rglob("*.py"), *ROOT.joinpath("ui").rglob("*.py")])


def test_imports_go_one_way() -> None:
    assert violations(sources()) == []


def test_the_rule_catches_a_forbidden_import(tmp_path: Path) -> None:
    """The check itself: an engine module importing the server, bench or the page is reported."""
    fake_root = tmp_path
    (fake_root / "rag" / "serve").mkdir(parents=True)
    (fake_root / "rag" / "retrieval.py").write_text("def f():\n    from rag.serve.app import create_app\n")
    (fake_root / "rag" / "schema.py").write_text("from rag.settings import Settings\n")
    (fake_root / "rag" / "serve" / "rest.py").write_text("import rag.bench.run\nfrom ui import app\n")
    (fake_root / "rag" / "serve" / "app.py").write_text("from ui.mount import mount_ui\n")
    found = violations(sorted(fake_root.rglob("*.py")), fake_root)
    assert len(found) == 4, found
    assert any("retrieval.py:2" in v and "rag.serve.app" in v for v in found)
    assert any("schema.py" in v for v in found)
    assert sum("serve/rest.py" in v for v in found) == 2
    assert not any("serve/app.py" in v for v in found)  # the server's mount may import the page


def test_import_rag_loads_no_heavy_library() -> None:
    code = ("import json, sys, rag; from rag import Settings; "
            "print(json.dumps([m for m in ('chromadb', 'gradio', 'fastapi', 'llama_index') if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_tests_share_helpers_only_through_fixtures() -> None:
    """Shared helpers live in tests/fixtures/; no test imports conftest or another test module."""
    found = []
    for path in sorted(ROOT.joinpath("tests").rglob("*.py")):
        for line, targets in imports(path):
            if any(t == "tests.conftest" or t.startswith(("tests.test_", "tests.conftest.")) for t in targets):
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []
