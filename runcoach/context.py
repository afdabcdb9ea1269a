"""The process-wide services, created at start-up (never at import time) and handed to pages and routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from runcoach.clock import Clock
from runcoach.coach.chat import Coach
from runcoach.config import Settings
from runcoach.db.engine import Database
from runcoach.jobs.worker import Worker
from runcoach.live.hub import Hub
from runcoach.notifications.service import Reminders
from runcoach.strava.service import Strava


@dataclass
class Context:
    settings: Settings
    db: Database
    clock: Clock
    hub: Hub
    coach: Coach
    strava: Strava
    jobs: Worker
    reminders: Reminders

    def today(self) -> date:
        """Today's date where the runner trains (the `timezone` setting), by the injected clock."""
        return self.clock.now().astimezone(self.settings.zone).date()


_current: Context | None = None


def set_context(ctx: Context) -> None:
    global _current
    _current = ctx


def context() -> Context:
    if _current is None:
        raise RuntimeError("RunCoach is not set up: call runcoach.app.setup() first")
    return _current
