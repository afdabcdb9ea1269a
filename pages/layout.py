"""Shared page chrome: a header with navigation that folds into a menu below laptop width (the eight
buttons and the sign-out need about 1,150 px in one row; wrapped, they took a third of a tablet's
height)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError

THEME = "#0f766e"
NAV = (
    ("Workouts", "/workouts", "directions_run"),
    ("Sessions", "/sessions", "timer"),
    ("Profile", "/profile", "person"),
    ("Goals", "/goals", "flag"),
    ("Plan", "/plan", "calendar_month"),
    ("Progress", "/progress", "insights"),
    ("Coach", "/coach", "forum"),
    ("Settings", "/settings", "settings"),
)


def _nav_links(user: User) -> None:
    for label, href, icon in NAV:
        ui.button(label, icon=icon, on_click=lambda h=href: ui.navigate.to(h)).props("flat color=white")
    if user.is_admin:
        ui.button("Admin", icon="admin_panel_settings", on_click=lambda: ui.navigate.to("/admin")).props(
            "flat color=white"
        )


def _bell(user: User) -> None:
    """The bell: the reminders, with how many are unread (read after the page is up)."""
    bell = (
        ui.button(icon="notifications", on_click=lambda: ui.navigate.to("/notifications"))
        .props('flat round color=white aria-label="Reminders"')
        .tooltip("Reminders")
        .mark("bell")
    )
    with bell:
        badge = ui.badge("", color="red").props("floating").mark("bell-count")
        badge.set_visibility(False)

    async def count() -> None:
        try:
            unread = await context().reminders.unread(user.id)
        except RunCoachError:  # the database is not answering: the page says so; the bell waits
            return
        badge.set_text(str(unread))
        badge.set_visibility(unread > 0)
        if unread:  # an icon and a number: screen readers get the words
            bell.props(f'aria-label="Reminders, {unread} unread"')

    # Read once the browser is connected: not while the page is built, and not by a task left
    # running when the page is gone.
    ui.context.client.on_connect(count)


@contextmanager
def frame(title: str, user: User | None = None) -> Iterator[ui.column]:
    """`with frame('Workouts', user):` lays out header and a centred content column."""
    ui.colors(primary=THEME)
    ui.page_title(f"{title} · RunCoach")
    with ui.header().classes("items-center justify-between px-3 py-1 bg-primary"):
        with ui.link(target="/").classes("flex items-center gap-1 text-white text-lg font-bold no-underline"):
            ui.icon("directions_run", size="sm")
            ui.label("RunCoach")
        if user is not None:
            ui.space()
            _bell(user)
            with ui.row().classes("gap-0 items-center max-xl:hidden"):
                _nav_links(user)
                ui.button(icon="logout", on_click=lambda: ui.navigate.to("/logout")).props(
                    "flat round color=white"
                ).tooltip(f"Sign out {user.name}")
            with ui.button(icon="menu").props("flat round color=white").classes("xl:hidden"), ui.menu():
                for label, href, _ in NAV:
                    ui.menu_item(label, on_click=lambda h=href: ui.navigate.to(h))
                if user.is_admin:
                    ui.menu_item("Admin", on_click=lambda: ui.navigate.to("/admin"))
                ui.menu_item("Sign out", on_click=lambda: ui.navigate.to("/logout"))
    with ui.column().classes("w-full max-w-5xl mx-auto p-3 sm:p-6 gap-4") as content:
        ui.label(title).classes("text-2xl font-semibold")
        yield content
