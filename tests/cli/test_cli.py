"""The `runcoach` command for a shell: users add and tokens create, with clear errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from runcoach.__main__ import main

PASSWORD = "Correct-Horse-42"


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_users_add_then_tokens_create_prints_the_token_alone_on_the_last_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert (
        run(monkeypatch, ["users", "add", "ann@example.com", "--name", "Ann", "--admin"], PASSWORD + "\n")
        == 0
    )
    assert "created admin ann@example.com" in capsys.readouterr().out
    assert run(monkeypatch, ["tokens", "create", "ann@example.com", "--label", "laptop"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("rc_") and " " not in last and len(last) > 30
    assert (data_dir / "runcoach.db").exists()


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["users", "add", "ann@example.com", "--name", "Ann"], "short\n", "at least 8 characters"),
        (["users", "add", "not-an-email", "--name", "Ann"], PASSWORD + "\n", "is not an email address"),
        (["users", "add", "dup@example.com", "--name", "Dup"], PASSWORD + "\n", "already exists"),
        (["tokens", "create", "ghost@example.com"], "", "no user with email ghost@example.com"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    assert run(monkeypatch, ["users", "add", "dup@example.com", "--name", "Dup"], PASSWORD + "\n") == 0
    capsys.readouterr()
    assert run(monkeypatch, argv, stdin) == 1
    assert message in capsys.readouterr().err


def test_an_unknown_command_exits_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["fly"])
    assert exited.value.code == 2
    assert "usage: runcoach" in capsys.readouterr().err
