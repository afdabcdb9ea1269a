"""One validated settings object, read from RUNCOACH_* environment variables and an optional .env."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from runcoach.domain.zones import known_zone

SECRET_FILE = "storage_secret"
TOKEN_KEY_FILE = "token_key"
#: Values people paste from examples; refused so no deployment signs cookies with a public key.
WEAK_SECRETS = frozenset(
    {"", "secret", "changeme", "change-me", "changethis", "password", "runcoach", "test"}
)
MIN_SECRET_LENGTH = 16


class UnsafeSettingsError(ValueError):
    """Raised at start-up when a setting would make the deployment unsafe."""


class Settings(BaseSettings):
    """Every setting RunCoach reads. See the table in the README."""

    model_config = SettingsConfigDict(env_prefix="RUNCOACH_", env_file=".env", extra="ignore")

    host: str = Field(default="0.0.0.0", description="Interface to listen on")
    port: int = Field(default=8080, ge=1, le=65535, description="TCP port to listen on")
    data_dir: Path = Field(default=Path("data"), description="Where the SQLite database and secrets live")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; default sqlite+aiosqlite in the data directory",
    )
    storage_secret: str | None = Field(
        default=None,
        description="Signs the browser session; generated once into the data directory when unset",
    )
    title: str = Field(default="RunCoach", description="Name shown in the browser and the PWA")
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted; larger ones get 413 before they are read",
    )
    fit_speed_tolerance_pct: float = Field(
        default=3.0,
        ge=0.5,
        le=20.0,
        allow_inf_nan=False,
        description="Width of a FIT workout step's speed target: the target speed plus or minus this share",
    )
    max_import_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Largest workout file (FIT or Zwift .zwo) accepted for import",
    )

    anthropic_api_key: SecretStr | None = Field(
        default=None,
        description="Anthropic API key: turns the AI coach (Claude) on; without it the built-in coach",
    )
    anthropic_model: str = Field(
        default="claude-sonnet-4-6", min_length=1, description="Claude model id the coach uses"
    )
    anthropic_base_url: str | None = Field(
        default=None,
        description="Messages API base URL; default Anthropic's (set for a proxy or a test server)",
    )
    coach_timeout_s: float = Field(
        default=60.0, gt=0, le=600, allow_inf_nan=False, description="Seconds one Claude request may take"
    )
    coach_attempts: int = Field(
        default=4,
        ge=1,
        le=10,
        description="Tries of a Claude request on 429, 529, time-outs, dropped connections",
    )
    coach_max_tokens: int = Field(default=1024, ge=64, le=8192, description="Longest reply, in tokens")
    coach_daily_messages: int = Field(
        default=100, ge=1, le=100_000, description="Messages one runner may send the coach per day"
    )

    public_url: str | None = Field(
        default=None,
        description="The address runners and Strava reach this server at (https://run.example.com): "
        "Strava's sign-in returns there and its webhook posts there",
    )
    strava_client_id: str | None = Field(
        default=None, description="Strava API application's Client ID: turns Strava sync on"
    )
    strava_client_secret: SecretStr | None = Field(
        default=None, description="Strava API application's Client Secret"
    )
    strava_verify_token: SecretStr | None = Field(
        default=None,
        description="Any random string: Strava echoes it when the webhook subscription is created",
    )
    strava_oauth_url: str = Field(
        default="https://www.strava.com/oauth", description="Strava's OAuth base URL (authorize, token)"
    )
    strava_api_url: str = Field(default="https://www.strava.com/api/v3", description="Strava's API base URL")
    strava_backfill_weeks: int = Field(
        default=12, ge=1, le=520, description="Weeks of past activities imported when Strava is connected"
    )
    strava_timeout_s: float = Field(
        default=30.0, gt=0, le=300, allow_inf_nan=False, description="Seconds one Strava request may take"
    )
    token_key: SecretStr | None = Field(
        default=None,
        description="Key that encrypts Strava tokens at rest (Fernet, 44 characters); "
        "generated once into the data directory when unset",
    )

    smtp_host: str | None = Field(
        default=None, description="Mail server for reminders; unset: reminders show in the app only"
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Mail server port")
    smtp_user: str | None = Field(default=None, description="Mail server user name (none: no login)")
    smtp_password: SecretStr | None = Field(default=None, description="Mail server password")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (port 587), tls (port 465) or none (a local relay)"
    )
    smtp_from: str = Field(
        default="RunCoach <runcoach@localhost>", min_length=3, description="Sender of reminder mails"
    )
    smtp_timeout_s: float = Field(
        default=30.0, gt=0, le=300, allow_inf_nan=False, description="Seconds one mail may take to send"
    )
    replica_sync: bool = Field(
        default=True,
        description="On PostgreSQL, keep every replica's views in sync with LISTEN/NOTIFY "
        "(off: one process on PostgreSQL, no listening connection)",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL for browser sessions shared by every replica (redis://host:6379/0); "
        "sets NiceGUI's NICEGUI_REDIS_URL. Unset: sessions are kept in the data directory",
    )

    timezone: str | None = Field(
        default=None,
        description="IANA time zone that decides what 'today' is for plans (e.g. Europe/Berlin); "
        "default: the machine's own",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else known_zone(value)

    @property
    def zone(self) -> tzinfo:
        """The configured zone, or the machine's local one."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def strava_ready(self) -> bool:
        """Whether Strava sync is set up: the application's id and secret and the public address."""
        return bool(self.strava_client_id and self.strava_client_secret and self.public_url)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'runcoach.db').resolve()}"


def check_secret(secret: str) -> str:
    """Refuse a known weak or short storage secret."""
    if secret.strip().lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        raise UnsafeSettingsError(
            f"RUNCOACH_STORAGE_SECRET is weak: use at least {MIN_SECRET_LENGTH} random characters, "
            "or unset it to let RunCoach generate one in the data directory"
        )
    return secret


def load_storage_secret(settings: Settings) -> str:
    """The secret from the environment, else the one generated once into the data directory (0600)."""
    if settings.storage_secret is not None:
        return check_secret(settings.storage_secret)
    return check_secret(generated_once(settings.data_dir / SECRET_FILE, lambda: secrets.token_urlsafe(48)))


def load_token_key(settings: Settings) -> str:
    """The key that encrypts Strava tokens: the setting, else one generated once into the data
    directory. Replicas must share it (set RUNCOACH_TOKEN_KEY): a key per replica could not read
    the others' tokens."""
    if settings.token_key is not None:
        return settings.token_key.get_secret_value()
    return generated_once(settings.data_dir / TOKEN_KEY_FILE, _fernet_key)


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def generated_once(path: Path, make: Callable[[], str]) -> str:
    """The value in `path`, written (0600) by `make` the first time."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # O_EXCL: two processes starting at once cannot both write (and disagree on) the value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
