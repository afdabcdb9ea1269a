"""Widgets that change a planned day: move, swap, change, rest, and Adapt today.

Every change goes through the plans service, which runs the rule checker: a refused edit shows each
broken rule's sentence and, where one exists, the nearest edit that passes with a button to make it.
Used by the planned workout page; thin, as pages are.
"""

from __future__ import annotations

from datetime import date

from nicegui import ui

from pages.forms import ErrorLabel
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError
from runcoach.domain.plan_edits import Change, Edit, EditRefused, Move, Rest, Swap
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import CompiledDay
from runcoach.domain.readiness import Checkin
from runcoach.domain.rules import weekday_date
from runcoach.plans import service
from runcoach.plans.service import PlanView

#: Types a change may pick (rest has its own button; the race is the goal's).
CHANGE_TYPES = [t for t in WorkoutType if t not in (WorkoutType.REST, WorkoutType.RACE)]


class EditCard:
    """Move, swap, change or rest one planned day; refusals and the nearest alternative inline."""

    def __init__(self, user: User, plan: PlanView, day: CompiledDay, today: date) -> None:
        self.user, self.plan_id, self.wid = user, plan.version.plan.id, day.day.wid
        others = {
            c.day.wid: f"{weekday_date(c.day.date)}: {c.day.title}"
            for c in plan.days
            if c.day.wid != self.wid and c.day.date >= today and c.day.type is not WorkoutType.RACE
        }
        with ui.card().classes("w-full").mark("edit-card"):
            ui.label("Change this day").classes("text-lg font-semibold")
            with ui.row().classes("w-full items-end gap-3"):
                self.to = ui.input("Move to (YYYY-MM-DD)", value=day.day.date.isoformat()).mark("move-to")
                ui.button("Move", on_click=self._move).props("outline no-caps").mark("move")
            with ui.row().classes("w-full items-end gap-3"):
                self.other = ui.select(others, label="Swap with").classes("min-w-64").mark("swap-with")
                ui.button("Swap", on_click=self._swap).props("outline no-caps").mark("swap")
            with ui.row().classes("w-full items-end gap-3"):
                types = {t.value: t.value.capitalize() for t in CHANGE_TYPES}
                self.type = ui.select(types, label="Type", value=None).classes("min-w-40").mark("change-type")
                self.minutes = ui.number("Minutes", step=5, value=None).classes("w-28").mark("change-minutes")
                ui.button("Change", on_click=self._change).props("outline no-caps").mark("change")
            ui.button("Make it a rest day", icon="hotel", on_click=self._rest).props("flat no-caps").mark(
                "rest"
            )
            self.error = ErrorLabel()
            self.suggestion = ui.row().classes("items-center gap-2")

    async def _move(self) -> None:
        try:
            to = date.fromisoformat(str(self.to.value).strip())
        except ValueError:
            self.error.show("Give the new date as YYYY-MM-DD.")
            return
        await self.apply(Move(wid=self.wid, to=to))

    async def _swap(self) -> None:
        if self.other.value is None:
            self.error.show("Pick the day to swap with.")
            return
        await self.apply(Swap(wid=self.wid, other_wid=int(self.other.value)))

    async def _change(self) -> None:
        minutes = None if self.minutes.value in (None, "") else int(self.minutes.value)
        kind = None if not self.type.value else WorkoutType(self.type.value)
        try:
            edit = Change(wid=self.wid, type=kind, minutes=minutes)
        except ValueError as exc:
            self.error.show(_first(exc))
            return
        await self.apply(edit)

    async def _rest(self) -> None:
        await self.apply(Rest(wid=self.wid))

    async def apply(self, edit: Edit) -> None:
        ctx = context()
        self.error.show("")
        self.suggestion.clear()
        try:
            _, message = await service.edit(
                ctx.db, self.user.id, self.plan_id, edit, today=ctx.today(), now=ctx.clock.now()
            )
        except EditRefused as exc:
            self.error.show(" ".join(v.message for v in exc.violations))
            if exc.alternative is not None:
                self._offer(exc.alternative, exc.suggestion)
            return
        except RunCoachError as exc:
            self.error.show(str(exc))
            return
        ui.notify(message, type="positive")
        ui.navigate.to(f"/plan/workouts/{self.wid}")

    def _offer(self, alternative: Move | Change, suggestion: str) -> None:
        with self.suggestion:
            ui.label(suggestion).classes("text-sm").mark("suggestion")
            ui.button("Do that", on_click=lambda: self.apply(alternative)).props("unelevated no-caps").mark(
                "use-alternative"
            )


class AdaptCard:
    """Adapt today: time available, soreness, fatigue and sleep; the day is fitted and the page says why."""

    def __init__(self, user: User, plan: PlanView, day: CompiledDay) -> None:
        self.user, self.plan_id, self.wid = user, plan.version.plan.id, day.day.wid
        planned = round(day.summary.duration_s / 60)
        with ui.card().classes("w-full").mark("adapt-card"):
            ui.label("Adapt today").classes("text-lg font-semibold")
            self.minutes = (
                ui.number("Minutes I have", value=planned, step=5, min=0)
                .classes("w-40")
                .mark("adapt-minutes")
            )
            self.soreness = _scale("Leg soreness", 0, 10, 0, "adapt-soreness")
            self.fatigue = _scale("Fatigue (1 fresh, 5 exhausted)", 1, 5, 2, "adapt-fatigue")
            self.sleep = _scale("Sleep (1 poor, 5 very good)", 1, 5, 4, "adapt-sleep")
            ui.button("Adapt", icon="tune", on_click=self._adapt).props("unelevated no-caps").mark("adapt")
            self.error = ErrorLabel()
            self.result = ui.label().classes("text-base").mark("adapt-result")

    async def _adapt(self) -> None:
        ctx = context()
        self.error.show("")
        try:
            minutes = None if self.minutes.value in (None, "") else int(self.minutes.value)
            checkin = Checkin(
                day=ctx.today(),
                minutes_available=minutes,
                soreness=int(self.soreness.value),
                fatigue=int(self.fatigue.value),
                sleep=int(self.sleep.value),
            )
            _, adaptation, _ = await service.adapt_today(
                ctx.db, self.user.id, self.plan_id, self.wid, checkin, today=ctx.today(), now=ctx.clock.now()
            )
        except ValueError as exc:
            self.error.show(_first(exc))
            return
        except RunCoachError as exc:
            self.error.show(str(exc))
            return
        self.result.set_text(adaptation.reason)
        if adaptation.edit is not None:
            ui.notify(adaptation.reason, type="positive", multi_line=True)
            ui.navigate.to(f"/plan/workouts/{self.wid}")


def _scale(label: str, low: int, high: int, value: int, marker: str) -> ui.slider:
    caption = ui.label().classes("text-sm text-gray-700")
    slider = ui.slider(min=low, max=high, step=1, value=value).props("label markers").mark(marker)
    caption.bind_text_from(slider, "value", backward=lambda v: f"{label}: {v}")
    return slider


def _first(exc: ValueError) -> str:
    """The first reason of a pydantic refusal, without its 'Value error, ' prefix."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first["msg"]).removeprefix("Value error, ")
    return str(exc)
