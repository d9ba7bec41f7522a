"""The sandbox packages import each other in one direction only: no module reaches itself through its
imports, type-only (`if TYPE_CHECKING:`) imports included, so every module can be typed and loaded alone."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        # `from sandbox.salesforce import query` imports the module sandbox.salesforce.query
        found.update(name for name in names if name in known)
    return found


def _graph(package: str) -> dict[str, set[str]]:
    files = {_module_name(p): p for p in (SRC / package).rglob("*.py")}
    known = set(files)
    # A package's __init__ importing its own submodules is how packages load: not a cycle.
    return {name: {dep for dep in _imports(path, known) - {name} if not name.startswith(dep + ".")}
            for name, path in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def test_no_import_cycles_in_the_sandbox() -> None:
    assert _cycles(_graph("sandbox")) == []
