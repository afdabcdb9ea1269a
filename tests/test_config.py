"""Settings: RUNCOACH_* environment, the storage secret generated once (0600), weak secrets refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from runcoach.config import Settings, UnsafeSettingsError, load_storage_secret


def test_defaults_are_the_documented_ones(data_dir: Path) -> None:
    settings = Settings()
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{(data_dir / 'runcoach.db').resolve()}"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNCOACH_PORT", "9090")
    monkeypatch.setenv("RUNCOACH_DATABASE_URL", "postgresql+asyncpg://u@db/runcoach")
    settings = Settings()
    assert settings.port == 9090 and settings.resolved_database_url == "postgresql+asyncpg://u@db/runcoach"


def test_a_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("RUNCOACH_PORT=7070\n")
    assert Settings().port == 7070


def test_the_secret_is_generated_once_with_owner_only_permissions(data_dir: Path) -> None:
    first = load_storage_secret(Settings())
    mode = stat.S_IMODE((data_dir / "storage_secret").stat().st_mode)
    assert mode == 0o600 and len(first) >= 32
    assert load_storage_secret(Settings()) == first


@pytest.mark.parametrize("weak", ["changeme", "secret", "short-one", "  "])
def test_a_weak_secret_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch, weak: str) -> None:
    monkeypatch.setenv("RUNCOACH_STORAGE_SECRET", weak)
    with pytest.raises(UnsafeSettingsError, match="weak"):
        load_storage_secret(Settings())


def test_a_strong_secret_from_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setenv("RUNCOACH_STORAGE_SECRET", "x9f-Very-long-random-value-123")
    assert load_storage_secret(Settings()) == "x9f-Very-long-random-value-123"
    assert not (data_dir / "storage_secret").exists()
