"""The accounts pages and the browser glue call services only: no runcoach.db, no sessions of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICE_CALLERS = [
    ROOT / "pages" / "login.py",
    ROOT / "pages" / "settings.py",
    ROOT / "runcoach" / "auth" / "web.py",
]


def imports_and_session_calls(path: Path) -> tuple[set[str], int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    sessions = sum(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "session"
        for n in ast.walk(tree)
    )
    return modules, sessions


@pytest.mark.parametrize("path", SERVICE_CALLERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_callers_of_the_accounts_service_open_no_transactions(path: Path) -> None:
    modules, sessions = imports_and_session_calls(path)
    assert not [m for m in modules if m.startswith(("runcoach.db", "sqlalchemy"))], modules
    assert sessions == 0
