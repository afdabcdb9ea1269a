"""Errors services raise; pages show their message, the API maps them to status codes."""

from __future__ import annotations


class RunCoachError(Exception):
    """Base class: the message is meant for the person who caused it."""


class NotFound(RunCoachError):
    """Unknown, or belongs to somebody else (the two are indistinguishable on purpose)."""


class Conflict(RunCoachError):
    """The request does not fit the current state (existing email, used invite, ...)."""


class InvalidInput(RunCoachError):
    """Bad input; `field` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AuthFailed(RunCoachError):
    """Wrong credentials, or too many attempts."""
