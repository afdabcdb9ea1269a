"""`runcoach` / `python -m runcoach`: serve (the default), users add, tokens create."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from runcoach.auth import service
from runcoach.clock import SystemClock
from runcoach.config import Settings
from runcoach.db.engine import Database
from runcoach.db.users import get_user_with_hash
from runcoach.domain.errors import RunCoachError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runcoach", description="A self-hosted treadmill run coach.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve the app (the default command)")
    serve.add_argument("--host", help="interface to listen on (RUNCOACH_HOST, default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="TCP port (RUNCOACH_PORT, default 8080)")
    users = commands.add_parser("users", help="manage accounts").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="create an account; the password is read from standard input")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--admin", action="store_true", help="give the account admin rights")
    tokens = commands.add_parser("tokens", help="manage API tokens").add_subparsers(
        dest="action", required=True
    )
    create = tokens.add_parser("create", help="create an API token; printed alone on the last line")
    create.add_argument("email")
    create.add_argument("--label", default="CLI token")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        if args.command in (None, "serve"):
            return _serve(settings, getattr(args, "host", None), getattr(args, "port", None))
        if args.command == "users":
            return asyncio.run(_add_user(settings, args.email, args.name, args.admin, _read_password()))
        return asyncio.run(_create_token(settings, args.email, args.label))
    except (RunCoachError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import os

    # NiceGUI reads its storage path when imported: keep it with the rest of the data.
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str((settings.data_dir / ".nicegui").resolve()))
    from runcoach.app import serve  # imports NiceGUI: only for the command that needs it

    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    serve(settings.model_copy(update=updates))
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


async def _add_user(settings: Settings, email: str, name: str, admin: bool, password: str) -> int:
    database = Database(settings.resolved_database_url)
    try:
        await database.start()
        async with database.session() as db:
            user = await service.create_user(
                db, email=email, name=name, password=password, is_admin=admin, now=SystemClock().now()
            )
    finally:
        await database.close()
    print(f"created {'admin' if user.is_admin else 'user'} {user.email} (id {user.id})")
    return 0


async def _create_token(settings: Settings, email: str, label: str) -> int:
    database = Database(settings.resolved_database_url)
    try:
        await database.start()
        async with database.session() as db:
            found = await get_user_with_hash(db, email=email.strip().lower())
            if found is None:
                raise RunCoachError(f"no user with email {email}")
            _, plain = await service.create_token(
                db, user_id=found[0].id, label=label, now=SystemClock().now()
            )
    finally:
        await database.close()
    print(f"token for {found[0].email} ('{label}'); it is shown only once:")
    print(plain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
