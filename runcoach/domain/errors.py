"""The one hierarchy of errors services raise.

The message is a sentence for the person who caused it: pages show it as it is, and the API
maps each kind to one status code in one place (runcoach/api/errors.py).
"""

from __future__ import annotations


class RunCoachError(Exception):
    """Base class: the message is meant for the person who caused it."""


class NotFound(RunCoachError):
    """Unknown, or belongs to somebody else (the two are indistinguishable on purpose). API: 404."""


class Conflict(RunCoachError):
    """The request does not fit the current state (a taken email, a used invite, pause while paused). 409."""


class InvalidInput(RunCoachError):
    """Bad input; `field` names what was wrong. API: 422."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AuthFailed(RunCoachError):
    """Wrong credentials, a disabled account, or too many attempts. API: 401."""


class Unavailable(RunCoachError):
    """A dependency (the database, later Claude or Strava) is not answering: nothing was changed. API: 503."""


class LimitReached(RunCoachError):
    """A per-runner allowance is used up (the coach's daily messages). API: 429."""
