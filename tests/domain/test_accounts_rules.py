"""The pure account rules: where a sign-in may send the browser, and when an attempt gets no check."""

from __future__ import annotations

import pytest

from runcoach.domain.accounts import (
    ACCOUNT_FAILURES,
    ADDRESS_FAILURES,
    PAIR_FAILURES,
    RecentFailures,
    lockout_problem,
    safe_redirect,
)

DEFAULT = "/workouts"


@pytest.mark.parametrize(
    "target",
    [
        "/settings",
        "/sessions/3/run",
        "/workouts?goal=easy&min=30",
        "/workouts/7#history",
        "/workouts?q=easy%20run",
        "/login?redirect_to=%2Fsettings",
    ],
)
def test_same_origin_paths_are_kept(target: str) -> None:
    assert safe_redirect(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/\t/evil.example",
        "/%09/evil.example",
        "/%2F%2Fevil.example",
        "/%2f/evil.example",
        "/%5Cevil.example",
        "/%252F%252Fevil.example",
        "https://evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example",
        " /settings",
        "/\n/evil.example",
        "/\r\nLocation: https://evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "/settings\x00",
        "/\x7f/evil.example",
        "/a\\b",
        "/" + "a" * 2000,
    ],
)
def test_anything_else_goes_to_the_default(target: str | None) -> None:
    assert safe_redirect(target) == DEFAULT


@pytest.mark.parametrize(
    ("pair", "account", "address", "problem"),
    [
        (1, 1, 1, None),
        (PAIR_FAILURES, PAIR_FAILURES, PAIR_FAILURES, None),
        (PAIR_FAILURES + 1, PAIR_FAILURES + 1, PAIR_FAILURES + 1, "for this account"),
        (1, ACCOUNT_FAILURES, 1, None),
        (1, ACCOUNT_FAILURES + 1, 1, "for this account"),
        (1, 1, ADDRESS_FAILURES, None),
        (1, 1, ADDRESS_FAILURES + 1, "from your network"),
    ],
)
def test_an_attempt_is_checked_until_a_limit_is_passed(
    pair: int, account: int, address: int, problem: str | None
) -> None:
    found = lockout_problem(RecentFailures(pair=pair, account=account, address=address))
    assert (found is None) if problem is None else (found is not None and problem in found)
