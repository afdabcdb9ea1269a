"""The weekly summary's words: the text body as before, and its HTML part with the volume chart."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from runcoach.domain.notifications import WeekLine, morning_message, weekly_message
from runcoach.domain.weekly_html import BAR_PX, DONE, PARTIAL, PLANNED

MONDAY = date(2026, 11, 2)
NASTY = '<script>alert(1)</script> & "x"'


def week(*days: tuple[str, str, float, float]) -> list[WeekLine]:
    """(title, status, planned km, done km) from Monday on."""
    return [
        WeekLine(MONDAY + timedelta(days=i), title, status, planned_km=planned, done_km=done)
        for i, (title, status, planned, done) in enumerate(days)
    ]


def row_of(html: str, day: date) -> str:
    """The day's row of the chart (each day row is one line of the document)."""
    [row] = [line for line in html.splitlines() if line.startswith("<tr><td") and f"{day:%a %d}" in line]
    return row


def bars(row: str) -> list[tuple[str, int]]:
    """(colour, width in px) of each bar in a row, planned first."""
    return [(c, int(w)) for c, w in re.findall(r'bgcolor="(#[0-9a-f]{6})" style="width:(\d+)px', row)]


def test_bars_are_proportional_to_the_weeks_largest_day() -> None:
    lines = week(
        ("Long 20 km", "done", 20.0, 20.0), ("Easy 10 km", "partial", 10.0, 5.0), ("rest", "rest", 0, 0)
    )
    html = weekly_message(MONDAY, lines, 30.0, 25.0, None).html or ""
    assert bars(row_of(html, lines[0].day)) == [(PLANNED, BAR_PX), (DONE, BAR_PX)]
    assert bars(row_of(html, lines[1].day)) == [(PLANNED, BAR_PX // 2), (PARTIAL, BAR_PX // 4)]
    assert bars(row_of(html, lines[2].day)) == []
    assert "20.0 of 20.0 km" in row_of(html, lines[0].day) and "5.0 of 10.0 km" in row_of(html, lines[1].day)


def test_a_run_beyond_the_plan_sets_the_scale() -> None:
    lines = week(("Easy 5 km", "done", 5.0, 10.0), ("rest", "rest", 0.0, 2.5))
    html = weekly_message(MONDAY, lines, 5.0, 12.5, None).html or ""
    assert bars(row_of(html, lines[0].day)) == [(PLANNED, BAR_PX // 2), (DONE, BAR_PX)]
    assert bars(row_of(html, lines[1].day)) == [(DONE, BAR_PX // 4)]


def test_every_word_from_data_is_escaped() -> None:
    lines = week((NASTY, "done", 5.0, 5.0), ("rest", "<b>rest</b>", 0.0, 0.0))
    html = weekly_message(MONDAY, lines, 5.0, 5.0, f"Goal {NASTY}").html or ""
    assert "<script" not in html and "<b>" not in html and NASTY not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"
    assert escaped in row_of(html, lines[0].day)
    assert f"Goal: Goal {escaped}" in html
    assert "&lt;b&gt;rest&lt;/b&gt;" in row_of(html, lines[1].day)


@pytest.mark.parametrize(
    ("days", "planned", "done"),
    [
        pytest.param([("rest", "rest", 0.0, 0.0)] * 7, 0.0, 0.0, id="a rest week"),
        pytest.param(
            [("rest", "rest", 0.0, 3.0)] + [("rest", "rest", 0.0, 0.0)] * 6,
            0.0,
            3.0,
            id="a run, none planned",
        ),
    ],
)
def test_a_week_with_nothing_planned_divides_by_nothing(
    days: list[tuple[str, str, float, float]], planned: float, done: float
) -> None:
    lines = week(*days)
    message = weekly_message(MONDAY, lines, planned, done, None)
    html = message.html or ""
    assert "nan" not in html.lower() and "inf" not in html.lower()
    widths = [w for line in lines for _, w in bars(row_of(html, line.day))]
    assert widths == ([BAR_PX] if done else [])
    assert f"{done:.1f} of 0.0 km planned (0%)" in html
    assert "[....................] 0%" in message.body


def test_the_html_is_a_mail_safe_document() -> None:
    lines = week(("Easy 40 min", "done", 6.5, 6.8), ("Tempo", "missed", 8.0, 0.0))
    html = weekly_message(MONDAY, lines, 14.5, 6.8, "10K in 45:00: realistic").html or ""
    assert html.startswith("<!DOCTYPE html>") and html.endswith("</body></html>")
    assert "Week of 02 November" in html and "6.8 of 14.5 km planned (47%)" in html
    assert "Goal: 10K in 45:00: realistic" in html
    for unsafe in ("<script", "<img", "<style", "<link", "class=", "http"):
        assert unsafe not in html


def test_the_text_body_says_what_it_said() -> None:
    lines = week(
        ("Easy 40 min", "done", 6.5, 6.8), ("rest", "rest", 0.0, 0.0), ("Tempo 30 min", "missed", 8.0, 0)
    )
    message = weekly_message(MONDAY, lines, 14.5, 6.8, "10K in 45:00: realistic")
    assert message.title == "Your week: 6.8 of 14.5 km"
    assert message.body == (
        "Week of 02 November\n"
        "\n"
        "Mon 02  Easy 40 min                  done\n"
        "Tue 03  rest                         rest\n"
        "Wed 04  Tempo 30 min                 missed\n"
        "\n"
        "Volume: 6.8 of 14.5 km planned  [#########...........] 47%\n"
        "\n"
        "Goal: 10K in 45:00: realistic"
    )


def test_other_reminders_have_no_html() -> None:
    assert morning_message(MONDAY, "Easy 40 min", "40 min", "").html is None
