"""Tests of how the deterministic coach reads words: days (around week and year ends), kinds of
session, minutes, and how the runner feels."""

from __future__ import annotations

from datetime import date

import pytest

from runcoach.domain.coach_words import dates, feelings, minutes, next_date, session_types, tokens, weekday_on
from runcoach.domain.plan_model import Weekday, WorkoutType

T = WorkoutType
SAT_12 = date(2026, 12, 12)
SUN_13 = date(2026, 12, 13)
MON_7 = date(2026, 12, 7)
NEW_YEARS_EVE = date(2026, 12, 31)


def test_tokens_drop_case_possessives_and_apostrophes_and_keep_iso_dates() -> None:
    assert tokens("Saturday's LONG-run, I'm on 2026-12-13!") == (
        "saturday",
        "long",
        "run",
        "im",
        "on",
        "2026-12-13",
    )
    assert tokens("What\u2019s 30min?") == ("what", "30", "min")


# --------------------------------------------------------------------------- days


@pytest.mark.parametrize(
    ("today", "said", "expected"),
    [
        (SAT_12, "sunday", date(2026, 12, 13)),
        (SAT_12, "saturday", SAT_12),  # today's own weekday is today
        (SAT_12, "sat", SAT_12),
        (SAT_12, "next saturday", date(2026, 12, 19)),
        (SAT_12, "this saturday", SAT_12),
        (SAT_12, "monday", date(2026, 12, 14)),
        (SAT_12, "friday", date(2026, 12, 18)),
        (SAT_12, "last saturday", date(2026, 12, 5)),
        (SAT_12, "last sunday", date(2026, 12, 6)),
        (SUN_13, "monday", date(2026, 12, 14)),
        (SUN_13, "sunday", SUN_13),
        (SUN_13, "next sunday", date(2026, 12, 20)),
        (SUN_13, "saturday", date(2026, 12, 19)),
        (SUN_13, "tomorrow", date(2026, 12, 14)),
        (SUN_13, "yesterday", SAT_12),
        (SUN_13, "the day after tomorrow", date(2026, 12, 15)),
        (NEW_YEARS_EVE, "tomorrow", date(2027, 1, 1)),
        (NEW_YEARS_EVE, "friday", date(2027, 1, 1)),
        (NEW_YEARS_EVE, "the 1st", date(2027, 1, 1)),
        (NEW_YEARS_EVE, "the 14th", date(2027, 1, 14)),
        (NEW_YEARS_EVE, "2 January", date(2027, 1, 2)),
        (NEW_YEARS_EVE, "December 31st", NEW_YEARS_EVE),
        (NEW_YEARS_EVE, "the 31st of dec", NEW_YEARS_EVE),
        (date(2026, 11, 1), "the 31st", date(2026, 12, 31)),  # November has no 31st
        (MON_7, "the 14th", date(2026, 12, 14)),
        (MON_7, "14 dec", date(2026, 12, 14)),
        (MON_7, "7 december", MON_7),
        (MON_7, "6 december", date(2027, 12, 6)),
        (MON_7, "2026-12-20", date(2026, 12, 20)),
        (MON_7, "Today", MON_7),
    ],
)
def test_a_day_resolves_to_the_next_such_day_on_or_after_today(
    today: date, said: str, expected: date
) -> None:
    found = dates(tokens(said), today)
    assert [d.on for d in found] == [expected]


@pytest.mark.parametrize(
    "said",
    ["I sat at my desk all day", "30 minutes", "2026-13-45", "the 45th", "may I move it", "5 km"],
)
def test_words_that_only_look_like_days_are_not_days(said: str) -> None:
    assert dates(tokens(said), MON_7) == []


def test_a_day_keeps_the_word_that_named_it() -> None:
    found = dates(tokens("swap tuesday and tomorrow"), MON_7)
    assert [d.label for d in found] == ["Tuesday", "tomorrow"]


@pytest.mark.parametrize(
    ("weekday", "prefix", "expected"),
    [
        (Weekday.SATURDAY, None, SAT_12),
        (Weekday.SATURDAY, "next", date(2026, 12, 19)),
        (Weekday.SUNDAY, "next", SUN_13),  # "next Sunday" on a Saturday is tomorrow
        (Weekday.FRIDAY, "last", date(2026, 12, 11)),
    ],
)
def test_weekday_on(weekday: Weekday, prefix: str | None, expected: date) -> None:
    assert weekday_on(SAT_12, weekday, prefix) == expected


def test_next_date_skips_a_29_february_that_does_not_come() -> None:
    assert next_date(date(2026, 3, 1), 29, 2) is None
    assert next_date(date(2027, 3, 1), 29, 2) == date(2028, 2, 29)
    assert next_date(date(2027, 2, 1), 29) == date(2027, 3, 29)


# --------------------------------------------------------------------------- kinds of session


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("move my long run", [T.LONG]),
        ("my long-run", [T.LONG]),
        ("the tempo run and the intervals", [T.TEMPO, T.INTERVALS]),
        ("hill repeats", [T.HILLS]),
        ("Saturday's easy run", [T.EASY]),
        ("a recovery jog", [T.RECOVERY]),
        ("swap the fartlek with the progression", [T.FARTLEK, T.PROGRESSION]),
        ("the rest day", [T.REST]),
        ("race day", [T.RACE]),
        ("a long day at work", []),
        ("what is race pace", []),
        ("make it easy", []),
    ],
)
def test_kinds_of_session(said: str, expected: list[WorkoutType]) -> None:
    assert [s.type for s in session_types(tokens(said))] == expected


# --------------------------------------------------------------------------- minutes


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("only 30 minutes", 30),
        ("I have 45 min", 45),
        ("30mins", 30),
        ("a 40-minute window", 40),
        ("half an hour", 30),
        ("half hour", 30),
        ("an hour", 60),
        ("one hour", 60),
        ("an hour and a half", 90),
        ("1.5 hours", 90),
        ("2h", 120),
        ("forty-five minutes", 45),
        ("twenty five minutes", 25),
        ("fifteen mins", 15),
        ("ninety minutes", 90),
        ("three quarters of an hour", 45),
        ("a quarter of an hour", 15),
        ("I ran 5 km", None),
        ("1000 minutes", None),
        ("tomorrow", None),
    ],
)
def test_minutes(said: str, expected: int | None) -> None:
    assert minutes(tokens(said)) == expected


# --------------------------------------------------------------------------- how the runner feels


@pytest.mark.parametrize(
    ("said", "soreness", "fatigue", "sleep"),
    [
        ("my calves are sore", 5, None, None),
        ("a bit sore", 3, None, None),
        ("legs a little achy", 3, None, None),
        ("very sore", 7, None, None),
        ("really sore quads", 7, None, None),
        ("my hamstring is tight", 3, None, None),
        ("my knee hurts", 7, None, None),
        ("shin pain", 7, None, None),
        ("a bit of pain in my achilles", 5, None, None),
        ("my calf", 5, None, None),
        ("my back is stiff", 3, None, None),
        ("I'm tired", None, 4, None),
        ("a bit tired", None, 3, None),
        ("dead tired", None, 5, None),
        ("exhausted", None, 5, None),
        ("heavy legs", None, 4, None),
        ("I slept badly", None, None, 2),
        ("bad night", None, None, 2),
        ("didn't sleep at all", None, None, 1),
        ("not sore, just tired", None, 4, None),
        ("no pain today", None, None, None),
        ("I feel great", None, None, None),
        ("move it back a day", None, None, None),
    ],
)
def test_feelings(said: str, soreness: int | None, fatigue: int | None, sleep: int | None) -> None:
    felt = feelings(tokens(said))
    assert (felt.soreness, felt.fatigue, felt.sleep) == (soreness, fatigue, sleep)


def test_pain_and_the_body_part_are_kept() -> None:
    felt = feelings(tokens("my calves hurt"))
    assert (felt.part, felt.plural, felt.pain) == ("calves", True, True)
    assert feelings(tokens("very sore knee")).pain is False  # sore, however sore, is not pain


@pytest.mark.parametrize(
    "said",
    [
        "I think I'm getting shin splints",
        "my plantar fasciitis is back",
        "IT band is playing up again",
        "worried about a stress fracture",
        "achilles tendinitis flaring",
        "runner's knee again",
    ],
)
def test_a_named_injury_is_pain(said: str) -> None:
    felt = feelings(tokens(said))
    assert felt.pain is True
    assert felt.soreness == 7


@pytest.mark.parametrize("said", ["no shin splints this time", "never had shin splints", "it banded"])
def test_a_denied_or_lookalike_injury_is_not_pain(said: str) -> None:
    assert feelings(tokens(said)).pain is False
