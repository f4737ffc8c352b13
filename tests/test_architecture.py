"""The shape the program keeps: a core without Qt, one door for writes, no SQL in the window,
no import cycles. Read from the source files, so a new side door fails here."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import chibo4tot_desktop

PACKAGE = Path(chibo4tot_desktop.__file__).parent
# Where a write may begin: the operations, and the storage layer under them (the engine's
# transaction itself, the migrations, and safety's file-level bookkeeping outside the office
# data: backup/restore metadata written with plain SQL on the file, never office records).
WRITERS = ("ops/", "db/", "safety/backup.py", "safety/restore.py")


def _modules(include_ui: bool) -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(PACKAGE)], "chibo4tot_desktop."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        if not include_ui and (info.name == "chibo4tot_desktop.ui"
                               or info.name.startswith("chibo4tot_desktop.ui.")):
            continue
        names.append(info.name)
    return names


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("db/migrations/"):
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"))


def test_core_imports_no_qt():
    modules = _modules(include_ui=False)
    assert "chibo4tot_desktop.ops.awards" in modules and "chibo4tot_desktop.cli" in modules
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "from chibo4tot_desktop.cli import build_parser\nbuild_parser()\n"
            + "print([m for m in sys.modules if m.startswith('PySide6')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def test_every_write_goes_through_the_operations():
    """A transaction, an insert or a delete outside ops/ (and the storage under it) is a side
    door around validation, the org filter and the change notice."""
    offenders = []
    for relative, tree in _sources():
        if relative.startswith(WRITERS):
            continue
        for call in _calls(tree):
            if call.func.attr in ("transaction", "add", "add_all", "delete", "merge",
                                  "bulk_save_objects", "bulk_insert_mappings") and \
                    _is_session_like(call.func.value):
                offenders.append(f"{relative}:{call.lineno} .{call.func.attr}()")
    assert offenders == []


def _is_session_like(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name in ("session", "db", "_db", "database") or name.endswith("session")


def test_the_window_runs_no_sql():
    offenders = []
    for relative, tree in _sources():
        if not relative.startswith("ui/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if module and (module.startswith("sqlalchemy") or module == "sqlite3"):
                    offenders.append(f"{relative}:{node.lineno} imports {module}")
        for call in _calls(tree):
            if call.func.attr in ("session", "transaction", "execute", "scalar", "scalars"):
                offenders.append(f"{relative}:{call.lineno} .{call.func.attr}()")
    assert offenders == []


def _imports_of(tree: ast.AST, modules: set[str]) -> set[str]:
    """Every import of a chibo4tot_desktop module, late imports inside functions included
    (a late import hides a cycle, it does not remove it). ``from package import module``
    depends on that module only."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("chibo4tot_desktop"):
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & modules
            found.update(submodules or {node.module})
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("chibo4tot_desktop"))
    return found


def test_no_import_cycles():
    trees = {("chibo4tot_desktop." + relative[:-3].replace("/", ".")).removesuffix(".__init__"):
             tree for relative, tree in _sources()}
    graph = {name: _imports_of(tree, set(trees)) for name, tree in trees.items()}
    graph = {name: {dep for dep in deps if dep in graph and dep != name}
             for name, deps in graph.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for dep in graph[node]:
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep):] + [dep] if dep in path else [node, dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    # A package importing its own submodule is not a cycle (chibo4tot_desktop.ops -> .base).
    cycles = [c for c in cycles if not all(m.startswith(c[0] + ".") or m == c[0] for m in c)]
    assert cycles == []
