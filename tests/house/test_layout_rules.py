"""Rules of the code's shape that no linter knows: no private names across modules, short
modules, a public ``__all__`` in every package."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("cli", "api", "dom", "solvers", "warehouse_graph")
MAX_LINES = 500


def _modules(folders: tuple[str, ...] = PACKAGES) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _private_imports(path: Path) -> list[str]:
    """``from x import _name`` and ``from x._private import y`` of one of our modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] in PACKAGES
        ):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
            if node.module.split(".")[-1].startswith("_"):
                found.append(node.module)
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_another_ones_private_names(path: Path) -> None:
    """A name starting with ``_`` is its module's own: shared helpers get public names."""
    assert _private_imports(path) == []


@pytest.mark.parametrize(
    "path",
    _modules((*PACKAGES, "tests", "benchmarks", "data")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_long_modules_say_why_at_their_top(path: Path) -> None:
    """A module over 500 lines says at the top of its docstring why it stays whole
    (a paragraph starting "Kept in one module:")."""
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines <= MAX_LINES:
        return
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "Kept in one module:" in doc[:400], f"{lines} lines: split it, or say why at its top"


@pytest.mark.parametrize("package", [ROOT / pkg for pkg in PACKAGES], ids=str)
def test_every_package_lists_its_public_names(package: Path) -> None:
    """Each package's ``__init__`` re-exports its public names in ``__all__``, all importable."""
    for init in sorted(package.rglob("__init__.py")):
        name = ".".join(init.parent.relative_to(ROOT).parts)
        module = importlib.import_module(name)
        assert getattr(module, "__all__", None), f"{name} has no __all__"
        for public in module.__all__:
            assert getattr(module, public) is not None, f"{name}.{public}"
