"""The one import rule: imports point down; the domain is pure; runcoach never imports pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_ALLOWED = {"__future__", "pydantic", "runcoach"}  # runcoach.domain only, checked below
STDLIB_FORBIDDEN_IN_DOMAIN = {"asyncio", "time", "socket", "threading", "secrets", "os", "subprocess"}
#: The composition root wires pages in by name; nothing else in runcoach may import them.
MAY_IMPORT_PAGES = {ROOT / "runcoach" / "app.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_rule_sees_the_domain_modules() -> None:
    assert {p.name for p in python_files("runcoach/domain")} >= {"workouts.py", "generator.py", "accounts.py"}


@pytest.mark.parametrize("path", python_files("runcoach/domain"), ids=lambda p: p.name)
def test_domain_imports_only_stdlib_pydantic_and_itself(path: Path) -> None:
    import sys

    for module in imported_modules(path):
        top = module.split(".")[0]
        if top == "runcoach":
            assert module.startswith("runcoach.domain"), f"{path.name} imports {module}"
        else:
            assert top in DOMAIN_ALLOWED or top in sys.stdlib_module_names, f"{path.name} imports {module}"
            assert top not in STDLIB_FORBIDDEN_IN_DOMAIN, f"{path.name} imports {module}: not pure"


@pytest.mark.parametrize("path", python_files("runcoach"), ids=lambda p: str(p.relative_to(ROOT)))
def test_runcoach_never_imports_pages(path: Path) -> None:
    if path in MAY_IMPORT_PAGES:
        return
    assert not any(m.split(".")[0] == "pages" for m in imported_modules(path)), path
