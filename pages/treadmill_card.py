"""The profile page's treadmill section: the console's unit, its limits in that unit, and its calibration.

A widget, not a page: it lays out the fields and hands the typed numbers to the domain
(`treadmill_from_console`, `calibration_from_laps`), which decides and words every refusal.
"""

from __future__ import annotations

from nicegui import ui

from pages.forms import ErrorLabel
from runcoach.domain.errors import InvalidInput
from runcoach.domain.structure import (
    ConsoleUnit,
    Treadmill,
    calibration_from_laps,
    from_console_unit,
    to_console_unit,
    treadmill_from_console,
)

UNIT_NAMES = {ConsoleUnit.KMH.value: "km/h", ConsoleUnit.MPH.value: "mph"}
HOW_TO = (
    "Belt speed ÷ console speed, 1 if the console is true. To measure it, time 10 belt laps at a steady "
    "speed and use the timed test below."
)


def _shown(kmh: float, unit: ConsoleUnit) -> float:
    """A speed as the form shows it: in the console's unit, to the tenth a console displays."""
    return round(to_console_unit(kmh, unit), 1)


class TreadmillCard:
    """The treadmill fields; `treadmill()` is the typed treadmill, or None after showing why not."""

    def __init__(self, saved: Treadmill | None, default_unit: ConsoleUnit) -> None:
        self.saved = saved or Treadmill()
        unit = self.saved.unit if saved else default_unit
        self.shown_unit = unit  # the unit the speed fields hold their numbers in
        with ui.card().classes("w-full"):
            ui.label("Treadmill").classes("text-lg font-semibold")
            with ui.row().classes("w-full items-end"):
                self.unit = (
                    ui.select(
                        UNIT_NAMES, value=unit.value, label="Console shows", on_change=self._unit_changed
                    )
                    .classes("min-w-[8rem]")
                    .mark("console-unit")
                )
                self.min_speed = self._speed("Min speed", self.saved.min_speed_kmh, unit, "min-speed")
                self.max_speed = self._speed("Max speed", self.saved.max_speed_kmh, unit, "max-speed")
                self.max_incline = ui.number(
                    "Max incline", value=self.saved.max_incline_pct, suffix="%", step=0.5
                ).mark("max-incline")
            self.calibration = ui.number(
                "Calibration (belt ÷ console)", value=self.saved.calibration, step=0.01, format="%.3f"
            ).mark("calibration")
            ui.label(HOW_TO).classes("text-sm text-gray-600")
            self._laps_test(unit)
            self.error = ErrorLabel().mark("treadmill-error")

    def _laps_test(self, unit: ConsoleUnit) -> None:
        """The timed test's four numbers and a button that puts the factor they give in the field."""
        test = ui.expansion("Work it out from a timed test", icon="timer").classes("w-full").mark("laps-test")
        with test, ui.row().classes("w-full items-end"):
            self.belt_m = ui.number("Belt length", suffix="m", step=0.01).mark("belt-m")
            self.laps = ui.number("Laps", value=10, step=1).mark("laps")
            self.seconds = ui.number("Seconds", step=0.1).mark("lap-seconds")
            self.at_speed = self._speed("Console speed", None, unit, "test-speed")
            ui.button("Use", on_click=self._work_out).props("flat no-caps").mark("use-factor")

    def treadmill(self) -> Treadmill | None:
        """The treadmill as typed; None when a number is wrong (the card says which, the fields keep it)."""
        try:
            treadmill = treadmill_from_console(
                self._unit(),
                min_speed=self.min_speed.value,
                max_speed=self.max_speed.value,
                max_incline_pct=self.max_incline.value,
                calibration=self.calibration.value,
                like=self.saved,
            )
        except InvalidInput as exc:
            self.error.show(str(exc))
            return None
        self.error.show("")
        return treadmill

    def saved_as(self, treadmill: Treadmill) -> None:
        """After a save: the next save keeps this treadmill's steps."""
        self.saved = treadmill

    def _speed(self, label: str, kmh: float | None, unit: ConsoleUnit, marker: str) -> ui.number:
        value = None if kmh is None else _shown(kmh, unit)
        return ui.number(label, value=value, suffix=UNIT_NAMES[unit.value], step=0.1).mark(marker)

    def _unit(self) -> ConsoleUnit:
        return ConsoleUnit(self.unit.value)

    def _unit_changed(self) -> None:
        """Another unit: the speeds typed so far keep their meaning, shown in the new unit."""
        old, new = self.shown_unit, self._unit()
        self.shown_unit = new
        for field in (self.min_speed, self.max_speed, self.at_speed):
            if isinstance(field.value, int | float):
                field.value = _shown(from_console_unit(field.value, old), new)
            field.props["suffix"] = UNIT_NAMES[new.value]
            field.update()

    def _work_out(self) -> None:
        try:
            factor = calibration_from_laps(
                belt_m=self.belt_m.value or 0.0,
                laps=self.laps.value or 0.0,
                seconds=self.seconds.value or 0.0,
                console_kmh=from_console_unit(self.at_speed.value or 0.0, self._unit()),
            )
        except InvalidInput as exc:
            self.error.show(str(exc))
            return
        self.error.show("")
        self.calibration.value = round(factor, 3)
