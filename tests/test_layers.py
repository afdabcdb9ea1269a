"""The one import rule: imports point down; the domain is pure; runcoach never imports pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import imported_modules

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_ALLOWED = {"__future__", "pydantic", "runcoach"}  # runcoach.domain only, checked below
STDLIB_FORBIDDEN_IN_DOMAIN = {"asyncio", "time", "socket", "threading", "secrets", "os", "subprocess"}
#: The composition root wires pages in by name; nothing else in runcoach may import them.
MAY_IMPORT_PAGES = {ROOT / "runcoach" / "app.py"}


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


#: Pages and the browser glue call services; services own their unit of work (DESIGN.md: Layers).
SERVICE_CALLERS = [*python_files("pages"), ROOT / "runcoach" / "auth" / "web.py"]


@pytest.mark.parametrize("path", SERVICE_CALLERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_never_reach_the_database(path: Path) -> None:
    modules = imported_modules(path)
    assert not [m for m in modules if m.startswith(("runcoach.db", "sqlalchemy"))], modules
    source = path.read_text()
    assert ".session()" not in source and "AsyncSession" not in source, f"{path.name} opens a transaction"


def is_page_module(path: Path) -> bool:
    """A module that declares routes; shared widgets (layout, forms, live_view) do not."""
    return "@ui.page(" in path.read_text()


def test_the_shared_live_view_is_a_component_not_a_page() -> None:
    assert not is_page_module(ROOT / "pages" / "live_view.py")
    assert is_page_module(ROOT / "pages" / "run.py") and is_page_module(ROOT / "pages" / "remote.py")


@pytest.mark.parametrize("path", python_files("pages"), ids=lambda p: p.name)
def test_a_page_never_imports_another_page(path: Path) -> None:
    for module in imported_modules(path):
        if module.startswith("pages."):
            imported = ROOT / "pages" / f"{module.removeprefix('pages.')}.py"
            assert not is_page_module(imported), f"{path.name} imports the page module {module}"


@pytest.mark.parametrize("path", python_files("runcoach/api"), ids=lambda p: p.name)
def test_api_routes_never_open_a_transaction(path: Path) -> None:
    source = path.read_text()
    assert ".session()" not in source and "AsyncSession" not in source, f"{path.name} opens a transaction"
