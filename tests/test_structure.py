"""The code's shape: no import cycle, no oversized module or function, layers kept apart.

Issue 10: "No module over about 600 lines; no function over about 60; no import
cycle". The limits here leave a little room (650 and 65); a function counts
from its first decorator to its last line, docstring included. The import
graph includes imports made inside functions, since those close a cycle at
run time just as well (only ``if TYPE_CHECKING:`` blocks are left out).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geodata", "mapapp")
MAX_MODULE_LINES = 650
MAX_FUNCTION_LINES = 65
#: What the data layer must never import (the presentation layer's libraries).
PRESENTATION = {"streamlit", "streamlit_folium", "folium", "branca"}


def _modules(root: Path, packages) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the packages."""
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _runtime_imports(tree: ast.AST):
    """Every Import/ImportFrom node, at any depth, except under ``if TYPE_CHECKING:``."""
    def type_checking(node: ast.If) -> bool:
        test = node.test
        return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _imported(name: str, path: Path, node) -> list[str]:
    """The dotted names an import statement in module ``name`` (file ``path``) asks for."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = package[:len(package) - node.level + 1]
        base = ".".join(base + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _graph(modules: dict[str, Path]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module -> modules of the packages it imports, module -> top-level packages it imports)."""
    edges: dict[str, set[str]] = {m: set() for m in modules}
    roots: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            wanted = _imported(name, path, node)
            roots[name] |= {w.split(".")[0] for w in wanted if w}
            if isinstance(node, ast.ImportFrom):
                base, *members = wanted
                # ``from pkg import mod`` needs the module, ``from pkg import name`` the package
                found = [m for m in members if m in modules]
                if len(found) < len(members):
                    found.append(base)
            else:
                found = wanted
            for target in found:
                while target and target not in modules:  # import a.b.c -> nearest known module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    return edges, roots


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def _sizes(modules: dict[str, Path]) -> list[str]:
    """A line per module over MAX_MODULE_LINES and per function over MAX_FUNCTION_LINES."""
    problems = []
    for path in modules.values():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        n = len(text.splitlines())
        if n > MAX_MODULE_LINES:
            problems.append(f"{where}: {n} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                length = node.end_lineno - start + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{where}:{node.lineno}: {node.name}() is {length} lines "
                                    f"(at most {MAX_FUNCTION_LINES})")
    return problems


def test_no_import_cycle_and_sizes():
    modules = _modules(ROOT, PACKAGES)
    assert "geodata.importers.api" in modules and "mapapp.cli" in modules  # the walk found them
    edges, roots = _graph(modules)
    problems = [f"import cycle: {' <-> '.join(c)}" for c in _cycles(edges)]
    problems += [f"{m} imports {', '.join(sorted(roots[m] & PRESENTATION))} (geodata is the "
                 f"data layer; only mapapp draws)"
                 for m in sorted(modules) if m.startswith("geodata") and roots[m] & PRESENTATION]
    problems += _sizes(modules)
    assert not problems, "\n".join(problems)


def test_the_checks_see_a_cycle_through_a_function_level_import(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .a import f\n")
    (pkg / "a.py").write_text("from .sub import b\n\ndef f():\n    return b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def g():\n    from ..a import f\n    return f\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from . import a\nimport streamlit\n")
    modules = _modules(tmp_path, ["pkg"])
    edges, roots = _graph(modules)
    assert edges["pkg"] == {"pkg.a"} and edges["pkg.a"] == {"pkg.sub.b"}
    assert _cycles(edges) == [["pkg.a", "pkg.sub.b"]]
    assert edges["pkg.c"] == set() and "streamlit" in roots["pkg.c"]
    (pkg / "sub" / "b.py").write_text("def g():\n    return 1\n")
    assert _cycles(_graph(_modules(tmp_path, ["pkg"]))[0]) == []
