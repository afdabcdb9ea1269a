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


def add(monkeypatch: pytest.MonkeyPatch, email: str, *flags: str) -> None:
    assert run(monkeypatch, ["users", "add", email, "--name", "Ann", *flags], PASSWORD + "\n") == 0


def test_users_list_shows_admins_and_disabled_accounts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add(monkeypatch, "ann@example.com", "--admin")
    add(monkeypatch, "bob@example.com")
    assert run(monkeypatch, ["users", "disable", "BOB@example.com"]) == 0
    capsys.readouterr()
    assert run(monkeypatch, ["users", "list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[1].split("\t")[1:] == ["ann@example.com", "Ann", "admin"]
    assert lines[2].split("\t")[1:] == ["bob@example.com", "Ann", "disabled"]
    assert run(monkeypatch, ["users", "enable", "bob@example.com"]) == 0
    capsys.readouterr()
    run(monkeypatch, ["users", "list"])
    assert capsys.readouterr().out.strip().splitlines()[2].endswith("\t-")


def test_tokens_list_and_revoke_by_id_or_all(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add(monkeypatch, "ann@example.com")
    for label in ("laptop", "garage", "watch"):
        assert run(monkeypatch, ["tokens", "create", "ann@example.com", "--label", label]) == 0
    capsys.readouterr()
    assert run(monkeypatch, ["tokens", "list", "ann@example.com"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.strip().splitlines()[1:]]
    assert [r[2] for r in rows] == ["watch", "garage", "laptop"] and all(r[5] == "-" for r in rows)
    assert run(monkeypatch, ["tokens", "revoke", rows[0][0]]) == 0
    assert run(monkeypatch, ["tokens", "revoke", "--all", "ann@example.com"]) == 0
    assert "revoked 2 tokens" in capsys.readouterr().out
    assert run(monkeypatch, ["tokens", "revoke", rows[0][0]]) == 1
    assert "No such active token" in capsys.readouterr().err


def test_delete_needs_yes_and_unlock_reports_what_it_forgave(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add(monkeypatch, "ann@example.com")
    assert run(monkeypatch, ["users", "unlock", "ann@example.com"]) == 0
    assert "0 recent failed sign-ins forgiven" in capsys.readouterr().out
    assert run(monkeypatch, ["users", "delete", "ann@example.com"]) == 1
    assert "add --yes" in capsys.readouterr().err
    assert run(monkeypatch, ["users", "delete", "ann@example.com", "--yes"]) == 0
    assert run(monkeypatch, ["users", "disable", "ann@example.com"]) == 1
    assert "no user with email ann@example.com" in capsys.readouterr().err
