"""Which coach this server runs: Claude when a key is set, the built-in coach otherwise."""

from __future__ import annotations

from runcoach.clock import Clock
from runcoach.coach.backend import Backend
from runcoach.coach.chat import Coach
from runcoach.config import Settings
from runcoach.db.engine import Database


def backend_for(settings: Settings) -> Backend:
    if settings.anthropic_api_key is None or not settings.anthropic_api_key.get_secret_value().strip():
        from runcoach.coach.rules_backend import RulesBackend

        return RulesBackend()
    from runcoach.coach.claude import ClaudeBackend

    return ClaudeBackend.from_settings(settings)


def make_coach(settings: Settings, database: Database, clock: Clock) -> Coach:
    return Coach(
        database,
        backend_for(settings),
        clock,
        zone=settings.zone,
        daily_limit=settings.coach_daily_messages,
        max_tokens=settings.coach_max_tokens,
    )
