"""The weekly summary as an HTML mail part: the same facts as the text body, with a volume chart.

Mail clients are not browsers: Gmail drops `<style>` blocks and classes, Outlook draws with Word.
So the document uses tables for layout, inline styles with the matching old attributes (`width`,
`bgcolor`), no scripts and no images; every bar is a table cell of a width in pixels. Every word
that comes from data (a plan title is the runner's own) is escaped.

Pure: standard library only. Each day row is one line of the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # notifications imports this module to build the message
    from runcoach.domain.notifications import WeekLine

#: The widest bar, in pixels: the week's largest day (planned or done) gets it.
BAR_PX = 160
PLANNED = "#d1d5db"  # light grey
DONE = "#16a34a"  # green
PARTIAL = "#f59e0b"  # amber
TEXT = "font-family:Arial,Helvetica,sans-serif;color:#111827"
HEADS = ("Day", "Planned", "How it went", "Volume", "km")
CELL = "padding:4px 8px;border-bottom:1px solid #e5e7eb;font-size:14px;vertical-align:middle"


def bar_px(km: float, scale_km: float) -> int:
    """A bar's width for `km` when `scale_km` gets the full width; 0 for nothing (or no scale)."""
    if km <= 0 or scale_km <= 0:
        return 0
    return max(1, round(min(km / scale_km, 1.0) * BAR_PX))


def weekly_html(
    monday: date, lines: Sequence[WeekLine], planned_km: float, done_km: float, verdict: str | None
) -> str:
    """The week as an HTML document: a row a day with its bars, the week's total, the goal."""
    scale = max((max(line.planned_km, line.done_km) for line in lines), default=0.0)
    heading = f"Week of {monday:%d %B}"
    goal = f'<p style="{TEXT};font-size:14px">Goal: {escape(verdict)}</p>' if verdict else ""
    return "\n".join(
        [
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(heading)}</title></head>',
            f'<body style="margin:0;padding:16px;background-color:#ffffff;{TEXT}">',
            f'<h1 style="{TEXT};font-size:20px;margin:0 0 12px">{escape(heading)}</h1>',
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:collapse;{TEXT}">',
            "<tr>" + "".join(f'<th align="left" style="{CELL}">{h}</th>' for h in HEADS) + "</tr>",
            *(_day_row(line, scale) for line in lines),
            "</table>",
            _total(planned_km, done_km),
            goal,
            "</body></html>",
        ]
    )


def _day_row(line: WeekLine, scale: float) -> str:
    colour = PARTIAL if line.done == "partial" else DONE
    bars = _bar(bar_px(line.planned_km, scale), PLANNED) + _bar(bar_px(line.done_km, scale), colour)
    cells = (f"{line.day:%a %d}", line.planned, line.done)
    return (
        "<tr>"
        + "".join(f'<td style="{CELL}">{escape(text)}</td>' for text in cells)
        + f'<td width="{BAR_PX}" style="{CELL};width:{BAR_PX}px">{bars}</td>'
        + f'<td style="{CELL};white-space:nowrap">{escape(_km_text(line.done_km, line.planned_km))}</td>'
        + "</tr>"
    )


def _km_text(done: float, planned: float) -> str:
    """'5.2 of 8.0 km', '5.2 km' (nothing planned), '' (nothing at all)."""
    if planned > 0:
        return f"{done:.1f} of {planned:.1f} km"
    return f"{done:.1f} km" if done > 0 else ""


def _total(planned_km: float, done_km: float) -> str:
    """The week's line and its bars, scaled to the larger of the two (more than planned shows)."""
    scale = max(planned_km, done_km)
    share = 0.0 if planned_km <= 0 else min(done_km / planned_km, 1.0)
    text = f"{done_km:.1f} of {planned_km:.1f} km planned ({share:.0%})"
    bars = _bar(bar_px(planned_km, scale), PLANNED) + _bar(bar_px(done_km, scale), DONE)
    return f'<p style="{TEXT};font-size:16px;font-weight:bold;margin:16px 0 4px">{escape(text)}</p>{bars}'


def _bar(px: int, colour: str) -> str:
    """One bar: a table cell `px` wide (Outlook honours no div widths); nothing for 0."""
    if px <= 0:
        return ""
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:2px 0">'
        f'<tr><td width="{px}" height="8" bgcolor="{colour}" style="width:{px}px;height:8px;'
        f'background-color:{colour};font-size:1px;line-height:1px">&nbsp;</td></tr></table>'
    )
