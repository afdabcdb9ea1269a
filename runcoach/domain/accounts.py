"""Accounts as the rest of the app sees them, and the rules for emails and passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import unquote, urlsplit

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
#: Failed sign-ins count for this long (a sliding window; refused attempts do not count).
LOCKOUT_WINDOW = timedelta(minutes=15)
#: Failures for one account from one client address: the owner elsewhere is not affected.
PAIR_FAILURES = 5
#: Failures for one account from all addresses together: slows guessing spread over many addresses.
ACCOUNT_FAILURES = 30
#: Failures from one address across all accounts (unknown emails included): slows password spraying.
ADDRESS_FAILURES = 20
INVITE_DEFAULT_TTL = timedelta(days=7)
# A short list of the passwords every cracker tries first (NIST 800-63B asks for a blocklist).
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "qwerty123",
        "iloveyou",
        "11111111",
        "00000000",
        "abc12345",
        "letmein1",
        "treadmill",
        "runcoach",
        "running1",
        "marathon",
        "welcome1",
        "sunshine",
        "football",
        "baseball",
        "superman",
    }
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Units(StrEnum):
    """How a runner reads speed and pace: km/h and min/km, or mph and min/mi."""

    METRIC = "metric"
    IMPERIAL = "imperial"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    name: str
    is_admin: bool
    created_at: datetime
    units: str = Units.METRIC.value
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    user_id: int
    label: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None

    def status(self, now: datetime) -> str:
        if self.used_at is not None:
            return "used"
        return "expired" if now >= self.expires_at else "open"


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased; raises ValueError when it is not an email address."""
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 320:
        raise ValueError(f"'{email.strip()}' is not an email address")
    return cleaned


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a password is too weak, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must have at most {MAX_PASSWORD_LENGTH} characters"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "Password is too common or repetitive; choose a longer, less predictable one"
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        return "Password must not contain your email name"
    return None


@dataclass(frozen=True, slots=True)
class RecentFailures:
    """Failed (or still unchecked) sign-ins inside LOCKOUT_WINDOW, the attempt being decided included.

    `pair`: this email from this address; `account`: this email from anywhere; `address`: this
    address for any email.
    """

    pair: int
    account: int
    address: int


def lockout_problem(failures: RecentFailures) -> str | None:
    """Why this attempt gets no password check, or None when it may be checked.

    The attempt is counted before it is decided, so of N attempts arriving together at most the
    limit get a check, whatever the interleaving.
    """
    minutes = int(LOCKOUT_WINDOW.total_seconds() // 60)
    if failures.address > ADDRESS_FAILURES:
        return f"Too many failed sign-ins from your network. Try again within {minutes} minutes."
    if failures.pair > PAIR_FAILURES or failures.account > ACCOUNT_FAILURES:
        return (
            f"Too many failed sign-ins for this account. Try again within {minutes} minutes, "
            "or ask your admin to unlock it."
        )
    return None


MAX_REDIRECT_LENGTH = 2000
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")  # control characters and backslashes


def safe_redirect(target: str | None, default: str = "/workouts") -> str:
    """`target` when it is a path on this site, else `default`.

    Browsers read `//host`, `/\\host` and `/<tab>/host` as other sites, and some decode `%2F` or
    `%09` first: so the path must start with one slash followed by something that is neither a
    slash nor a backslash, hold no control characters or backslashes, and stay so once
    percent-decoded (twice, for double encoding).
    """
    if not target or len(target) > MAX_REDIRECT_LENGTH:
        return default
    forms = [target, unquote(target)]
    forms.append(unquote(forms[-1]))
    for form in forms:
        if not form.startswith("/") or form[1:2] in ("/", "\\") or _UNSAFE_CHARS.search(form):
            return default
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return default
    return target
