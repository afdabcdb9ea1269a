"""ORM tables. Rows are mapped to domain objects inside runcoach.db only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: "metric" (km/h, min/km) or "imperial" (mph, min/mi): how the run views show speed and pace.
    units: Mapped[str] = mapped_column(String(8), default="metric", server_default="metric")
    #: Set by `runcoach users disable`: sign-in, tokens, browser sessions and live commands stop.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginAttemptRow(Base):
    """One sign-in attempt, written (and committed) before the password is checked.

    `outcome` is "failed" from the start (an attempt being checked counts as a failure, which
    makes the limits hold under concurrency) and becomes "succeeded" for the right password,
    "refused" when a limit was reached (no check; does not count), "disabled" (right password,
    disabled account) or "unlocked" (an admin forgave it). Only "failed" counts.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The client address as the server saw it (behind a proxy: what uvicorn's forwarded-allow-ips trusts).
    address: Mapped[str] = mapped_column(String(64), server_default="")
    outcome: Mapped[str] = mapped_column(String(16), server_default="failed")


class InviteRow(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WorkoutRow(Base):
    __tablename__ = "workouts"
    __table_args__ = (Index("ix_workouts_owner_created", "owner_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("workouts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: "generated" (goal, inputs and seed set) or "imported" (file_name set).
    source: Mapped[str] = mapped_column(String(16), server_default="generated")
    goal: Mapped[str | None] = mapped_column(String(32), nullable=True)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    seed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: The workout in the structured form (steps and repeat blocks); its program is compiled from it.
    structure: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RunSessionRow(Base):
    """A workout being run. Its program is a snapshot: the session plays what was planned at its start."""

    __tablename__ = "run_sessions"
    __table_args__ = (Index("ix_run_sessions_owner_created", "owner_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The generated workout played; NULL for a planned day (then `plan_id` and `plan_wid` say which).
    workout_id: Mapped[int | None] = mapped_column(
        ForeignKey("workouts.id", ondelete="CASCADE"), index=True, nullable=True
    )
    name: Mapped[str] = mapped_column(String(200))
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pair_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When `pair_code` was drawn, if the runner drew a new one; NULL: at creation (`created_at`).
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The planned day this session runs ("Run it now"), if any: the plan and the day's wid.
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), nullable=True, index=True
    )
    plan_wid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The owner's treadmill console at creation, {"unit": "kmh" | "mph", "calibration": 1.0}; NULL:
    #: none known (no profile then, or a session from before 0007), speeds read as they always did.
    console: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SessionEventRow(Base):
    """The append-only log; (session_id, seq) is unique, so two devices racing cannot both win."""

    __tablename__ = "session_events"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_session_events_session_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("run_sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProfileRow(Base):
    """A runner's profile as the domain's JSON (`Profile.model_dump(mode="json")`), one per user."""

    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GoalRow(Base):
    """A runner's goal (`Goal.model_dump(mode="json")`) and its latest assessment."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_owner_created", "owner_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: `Assessment.model_dump(mode="json")` as of `assessed_at`; re-assessed when runs are completed.
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON)
    feasibility: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlanRow(Base):
    """A plan for a goal. At most one active (not archived) plan per runner, enforced here."""

    __tablename__ = "plans"
    __table_args__ = (
        Index(
            "uq_plans_one_active_per_owner",
            "owner_id",
            unique=True,
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"), nullable=True)
    methodology: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PlanVersionRow(Base):
    """One version of a plan: the whole `PlanDraft` as JSON, who made it and why.

    Exactly one version of a plan is current: a partial unique index allows one `is_current` row
    per plan, and (plan_id, number) is unique so two edits racing cannot both become version n+1.
    """

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "number", name="uq_plan_versions_plan_number"),
        Index(
            "uq_plan_versions_one_current",
            "plan_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The days this version changed against the one before: [{wid, before, after}], for history.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CheckinRow(Base):
    """How the runner felt: after a run (effort, soreness) or before one (Adapt today)."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_owner_day", "owner_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("run_sessions.id", ondelete="SET NULL"), nullable=True
    )
    day: Mapped[date] = mapped_column(Date)
    effort: Mapped[int | None] = mapped_column(Integer, nullable=True)
    soreness: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fatigue: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sleep: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minutes_available: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarFeedRow(Base):
    """A runner's private calendar feed: the SHA-256 of its secret token (the link is shown once)."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoachMessageRow(Base):
    """One message of a runner's coach chat: theirs, or the coach's reply with its token use.

    The runner's message is stored before the model is asked, so it is never lost; the reply row
    is written as `streaming` and updated as it ends (complete, incomplete, failed).
    `summarised` marks messages the memory job has read.
    """

    __tablename__ = "coach_messages"
    __table_args__ = (Index("ix_coach_messages_owner_created", "owner_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    summarised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoachMemoryRow(Base):
    """A long-term memory the summariser kept: a weekly summary, an injury or issue, a preference."""

    __tablename__ = "coach_memories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoachProposalRow(Base):
    """A plan change the coach proposed, after it passed the rule checker: edits of a plan's
    version `base_version`, or a whole drafted plan; pending until the runner applies or discards it."""

    __tablename__ = "coach_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("coach_messages.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), nullable=True)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), nullable=True)
    edits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    #: The plan version Apply made.
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StravaAccountRow(Base):
    """A runner's Strava connection: the athlete, the granted scopes, the token pair (encrypted,
    never in clear text), and how far the backfill of past activities has come."""

    __tablename__ = "strava_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    athlete_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    athlete_name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(200))
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The backfill imports activities started after `backfill_from`; `backfill_cursor` is the
    #: start of the newest one stored so far (it resumes there), `backfill_done_at` when it ended.
    backfill_from: Mapped[datetime] = mapped_column(UTCDateTime())
    backfill_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    backfill_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Why the connection needs the runner (Strava refused the token), shown on the Strava page.
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    auto_upload: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StravaActivityRow(Base):
    """One Strava activity of a runner, as Strava last described it (`raw`), once per Strava id.

    `manual` marks the runner's own matching: `match_day` is then the planned day they chose (None:
    no planned day). Without it the calendar matches the run by the rule, as of the current plan.
    """

    __tablename__ = "strava_activities"
    __table_args__ = (Index("ix_strava_activities_owner_start", "owner_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    strava_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sport_type: Mapped[str] = mapped_column(String(40))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date] = mapped_column(Date)
    distance_m: Mapped[float] = mapped_column(Float)
    moving_s: Mapped[float] = mapped_column(Float)
    elapsed_s: Mapped[float] = mapped_column(Float)
    trainer: Mapped[bool] = mapped_column(Boolean, default=False)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    match_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StravaUploadRow(Base):
    """The one upload of a finished run session to Strava: claimed once (the session is the key),
    then uploading, processing, and done (`activity_id`), duplicate (linked) or failed (`error`)."""

    __tablename__ = "strava_uploads"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("run_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    upload_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    activity_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobRow(Base):
    """A durable background job: stored before anyone waits on it, so a restart loses none.

    `key` makes enqueueing idempotent (Strava's retried event is one job). A worker claims a due
    job by setting `lease_until`; a worker that dies leaves the lease to run out and another takes
    it. Done jobs keep `done_at` (and `failed` when they were given up after too many tries).
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_pending", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NotificationPrefsRow(Base):
    """A runner's reminder switches and local times (`runcoach.domain.notifications.Preferences`)."""

    __tablename__ = "notification_prefs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    prefs: Mapped[dict[str, Any]] = mapped_column(JSON)


class NotificationRow(Base):
    """One reminder: shown in the app, and mailed when a mail server is set up.

    `key` makes it once per kind and day (or goal verdict). `claims` counts sends begun without a
    known end: a sender that died after handing the mail over leaves 1, and the next sends once
    more at most (see `runcoach.notifications`).
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_owner_created", "owner_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: The same as an HTML document, for the mail (the weekly summary's chart); the app shows `body`.
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    wid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
