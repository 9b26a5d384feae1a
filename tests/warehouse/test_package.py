"""The package surface and its layers: public names, imports of ours, no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import warehouse_graph

PACKAGE = Path(warehouse_graph.__file__).resolve().parent
OURS = ("dom", "api", "cli", "solvers", "warehouse_graph")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file, TYPE_CHECKING blocks and functions included."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def test_every_public_name_is_exported():
    """Each name of __all__ resolves on the package."""
    for name in warehouse_graph.__all__:
        assert getattr(warehouse_graph, name) is not None, name


def test_importing_the_package_leaves_matplotlib_unloaded():
    """Pictures load matplotlib on first use only."""
    code = "import sys, warehouse_graph; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_only_dom_errors_of_ours_and_no_private_names_across_modules():
    """warehouse_graph imports at most dom.errors of our code and no other module's _names."""
    for path in sorted(PACKAGE.glob("*.py")):
        for module, names in _imports(path):
            top = module.split(".")[0]
            if top in OURS and top != "warehouse_graph":
                assert module == "dom.errors", f"{path.name} imports {module}"
            if top == "warehouse_graph":
                assert not [n for n in names if n.startswith("_")], f"{path.name}: {names}"
                assert not module.split(".")[-1].startswith("_"), f"{path.name}: {module}"


def test_modules_import_each_other_without_cycles():
    """The modules of the package form a DAG (TYPE_CHECKING imports included)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        if path.stem == "__init__":
            continue
        deps = graph.setdefault(path.stem, set())
        for module, names in _imports(path):
            if module == "warehouse_graph":
                deps.update(n for n in names if (PACKAGE / f"{n}.py").is_file())
            elif module.startswith("warehouse_graph."):
                deps.add(module.split(".")[1])
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        raise AssertionError(f"import cycle: {exc.args[1]}") from None
