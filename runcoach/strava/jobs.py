"""The kinds of background job Strava's work runs as, and how a full rate-limit window stops them."""

from __future__ import annotations

from runcoach.jobs.worker import Later
from runcoach.strava.client import RateLimited

BACKFILL = "strava.backfill"
EVENT = "strava.event"
UPLOAD = "strava.upload"
AUTO_UPLOAD = "strava.autoupload"
#: The kinds that call Strava's API: a full window holds them all.
CALLS_STRAVA = (BACKFILL, EVENT, UPLOAD)


def wait_for_window(limited: RateLimited) -> Later:
    """Run this job, and every other that would call Strava, when the window resets."""
    return Later(limited.at, str(limited), hold=CALLS_STRAVA)
