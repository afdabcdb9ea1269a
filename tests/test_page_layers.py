"""Pages stay thin: a page never imports another page's internals; the live pages never touch the database.

Shared widgets live in their own modules (layout, forms, live_view); a page module is one that
declares routes with `@ui.page`. The login, settings and workouts pages still open database
sessions until their services land (issue 6); the live pages already go through the hub.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import imported_modules

PAGES = Path(__file__).resolve().parent.parent / "pages"
LIVE_PAGES = ("live_view.py", "run.py", "remote.py")


def is_page_module(path: Path) -> bool:
    return "@ui.page(" in path.read_text()


def page_files() -> list[Path]:
    return sorted(PAGES.glob("*.py"))


def test_the_shared_live_view_is_a_component_not_a_page() -> None:
    assert not is_page_module(PAGES / "live_view.py")
    assert is_page_module(PAGES / "run.py") and is_page_module(PAGES / "remote.py")


@pytest.mark.parametrize("path", page_files(), ids=lambda p: p.name)
def test_a_page_never_imports_another_page(path: Path) -> None:
    for module in imported_modules(path):
        if module.startswith("pages."):
            imported = PAGES / f"{module.removeprefix('pages.')}.py"
            assert not is_page_module(imported), f"{path.name} imports the page module {module}"


@pytest.mark.parametrize("name", LIVE_PAGES)
def test_the_live_pages_never_touch_the_database(name: str) -> None:
    path = PAGES / name
    assert not any(m.split(".")[:2] == ["runcoach", "db"] for m in imported_modules(path)), name
    assert ".db.session(" not in path.read_text(), name
