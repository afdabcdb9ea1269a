"""Accounts as the rest of the app sees them, and the rules for emails and passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
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


def locked_out(failures_in_window: int) -> bool:
    """True once an account has had LOCKOUT_FAILURES failed logins inside LOCKOUT_WINDOW."""
    return failures_in_window >= LOCKOUT_FAILURES
