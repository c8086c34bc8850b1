"""Import rules of DESIGN.md §2 / STYLE.md rule 1, checked on the source (transitively):

* only ``counterapp.gui`` may import PySide6;
* ``counterapp.domain`` imports nothing but itself and a small allowlist of pure standard modules
  (no SQLAlchemy, no I/O, no clock-reading helpers), so a new import is a conscious decision;
* ``counterapp.gui`` never imports ``counterapp.store`` directly (it goes through services);
* ``counterapp.server`` imports the domain, the wire protocol and the data files, never the counter's
  local cache, its services, its sync engine, printing, GUI or CLI (DESIGN.md §2: server → domain + protocol);
* ``counterapp.protocol`` (the wire protocol the counter and the server share) imports only the domain and
  third-party libraries: no store, services, sync engine, server, printing, GUI or CLI;
* ``counterapp.services`` never imports ``counterapp.sync`` (the sync engine is a use case above the
  services: it may import them, the store and the protocol, never the other way round).

So the layers point one way: ``gui → sync → services → store``, ``services, store, sync, server → protocol
→ domain``. No package imports a package that imports it back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "counterapp"

DOMAIN_ALLOWED = {
    "__future__", "abc", "bisect", "collections", "dataclasses", "datetime", "decimal", "enum",
    "fractions", "functools", "heapq", "itertools", "math", "operator", "re", "string", "types",
    "typing", "unicodedata", "uuid",
}  # fmt: skip


SERVER_FORBIDDEN = ("store", "services", "sync", "printing", "gui", "cli")
PROTOCOL_FORBIDDEN = ("store", "services", "sync", "server", "printing", "gui", "cli", "datafiles")


def imports_package(name: str, top: str, package: str) -> bool:
    return name == f"{top}.{package}" or name.startswith(f"{top}.{package}.")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path) -> dict[str, set[str]]:
    """Every module under ``root`` → the fully qualified names it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(root, path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        graph[name] = found
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """All names imported from ``start``, following imports of the project's own modules."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for name in graph.get(todo.pop(), ()):
            if name not in seen:
                seen.add(name)
                if name in graph:
                    todo.append(name)
    return seen


def violations(root: Path) -> list[str]:
    graph = imports_of(root)
    top = root.name
    problems = []
    for module in graph:
        in_gui = module.startswith(f"{top}.gui")
        names = reachable(graph, module)
        roots = {n.split(".")[0] for n in names}
        if not in_gui and "PySide6" in roots:
            problems.append(f"{module} imports PySide6 outside {top}.gui")
        if not in_gui and any(n.startswith(f"{top}.gui") for n in names):
            problems.append(f"{module} imports {top}.gui")
        if module.startswith(f"{top}.domain"):
            for name in sorted(names):
                if name.startswith(f"{top}."):
                    if not name.startswith(f"{top}.domain"):
                        problems.append(f"{module} imports {name} (domain must stay self-contained)")
                elif name.split(".")[0] not in DOMAIN_ALLOWED:
                    problems.append(f"{module} imports {name} (not in the domain allowlist)")
        if in_gui and any(n.startswith(f"{top}.store") for n in graph[module]):
            problems.append(f"{module} imports {top}.store directly; go through services")
        if module.startswith(f"{top}.server"):
            for name in sorted(names):
                if any(imports_package(name, top, pkg) for pkg in SERVER_FORBIDDEN):
                    problems.append(f"{module} imports {name} (the server does not use the counter's code)")
        if module.startswith(f"{top}.protocol"):
            for name in sorted(names):
                if any(imports_package(name, top, pkg) for pkg in PROTOCOL_FORBIDDEN):
                    problems.append(f"{module} imports {name} (the protocol uses only the domain)")
        if module.startswith(f"{top}.services"):
            for name in sorted(names):
                if imports_package(name, top, "sync"):
                    problems.append(f"{module} imports {name} (the sync engine sits above the services)")
    return problems


def package_cycles(root: Path) -> list[str]:
    """Pairs of the project's packages that import each other (directly, by any of their modules)."""
    top = root.name
    edges: set[tuple[str, str]] = set()
    for module, names in imports_of(root).items():
        parts = module.split(".")
        if len(parts) < 2:
            continue
        for name in names:
            target = name.split(".")
            if target[0] == top and len(target) > 1 and target[1] != parts[1] and (root / target[1]).is_dir():
                edges.add((parts[1], target[1]))
    return sorted(f"{a} <-> {b}" for a, b in edges if a < b and (b, a) in edges)


def test_the_project_keeps_its_import_rules():
    assert violations(ROOT) == []


def test_no_package_imports_a_package_that_imports_it_back():
    assert package_cycles(ROOT) == []


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    for package in ("", "domain", "gui", "store", "services", "server", "protocol", "sync"):
        write(root, f"{package}/__init__.py".lstrip("/"), "")
    write(root, "domain/rules.py", "import re\nfrom datetime import date\n")
    write(root, "gui/window.py", "from PySide6.QtWidgets import QWidget\nfrom ..services import x\n")
    # the allowed directions between the layers, each once
    write(root, "protocol/ops.py", "from pydantic import BaseModel\nfrom pkg.domain import rules\n")
    write(root, "services/queue.py", "from pkg.protocol import ops\nfrom pkg.store import rows\n")
    write(
        root,
        "sync/engine.py",
        "from pkg.services import queue\nfrom pkg.store import rows\nfrom pkg.protocol import ops\n",
    )
    write(root, "server/apply.py", "from pkg.protocol import ops\nfrom pkg.domain import rules\n")
    write(root, "store/rows.py", "from pkg.protocol import ops\n")
    return root


def test_the_checker_accepts_a_clean_tree(fake: Path):
    assert violations(fake) == []


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        ("services/ui.py", "import PySide6.QtCore\n", "pkg.services.ui imports PySide6 outside pkg.gui"),
        ("domain/db.py", "from sqlalchemy import select\n", "pkg.domain.db imports sqlalchemy"),
        ("domain/io.py", "import sqlite3\n", "pkg.domain.io imports sqlite3"),
        ("domain/files.py", "from pathlib import Path\n", "pkg.domain.files imports pathlib"),
        ("domain/leak.py", "from ..store import rows\n", "pkg.domain.leak imports pkg.store"),
        ("gui/direct.py", "from pkg.store import rows\n", "pkg.gui.direct imports pkg.store directly"),
        ("server/app.py", "from pkg.store import outbox\n", "pkg.server.app imports pkg.store"),
        ("server/engine.py", "from pkg.sync import engine\n", "pkg.server.engine imports pkg.sync"),
        ("protocol/leak.py", "from pkg.store import rows\n", "pkg.protocol.leak imports pkg.store"),
        ("protocol/up.py", "from pkg.services import queue\n", "pkg.protocol.up imports pkg.services"),
        ("protocol/loop.py", "from pkg.sync import engine\n", "pkg.protocol.loop imports pkg.sync"),
        ("protocol/srv.py", "import pkg.server.apply\n", "pkg.protocol.srv imports pkg.server"),
        ("services/back.py", "from pkg.sync import engine\n", "pkg.services.back imports pkg.sync"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(fake: Path, relative, text, expected):
    write(fake, relative, text)
    assert any(p.startswith(expected) for p in violations(fake)), violations(fake)


def test_the_checker_follows_imports_transitively(fake: Path):
    # domain → (allowed) domain.helpers → sqlalchemy is still a violation of the domain module
    write(fake, "domain/helpers.py", "import sqlalchemy\n")
    write(fake, "domain/rules.py", "from . import helpers\n")
    assert "pkg.domain.rules imports sqlalchemy (not in the domain allowlist)" in violations(fake)


def test_the_checker_finds_two_packages_importing_each_other(fake: Path):
    assert package_cycles(fake) == []
    write(fake, "store/back.py", "from pkg.sync import engine\n")  # the store reaching up to the sync engine
    assert package_cycles(fake) == ["store <-> sync"]
