"""`runcoach` / `python -m runcoach`: serve (the default), users and tokens for an operator's shell."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from runcoach.auth import service
from runcoach.clock import SystemClock
from runcoach.config import Settings, load_token_key
from runcoach.db.engine import Database
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError
from runcoach.strava.service import Strava
from runcoach.strava.tokens import Cipher

Action = Callable[[Database, argparse.Namespace], Awaitable[None]]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runcoach", description="A self-hosted treadmill run coach.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve the app (the default command)")
    serve.add_argument("--host", help="interface to listen on (RUNCOACH_HOST, default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="TCP port (RUNCOACH_PORT, default 8080)")
    _users_parser(commands.add_parser("users", help="manage accounts"))
    _tokens_parser(commands.add_parser("tokens", help="manage API tokens"))
    _strava_parser(commands.add_parser("strava", help="Strava's webhook subscription"))
    return parser


def _users_parser(parser: argparse.ArgumentParser) -> None:
    users = parser.add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="create an account; the password is read from standard input")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument("--admin", action="store_true", help="give the account admin rights")
    users.add_parser("list", help="every account: id, email, name, admin, disabled")
    for action, text in (
        ("disable", "refuse sign-in, API tokens, browser sessions and live commands at once"),
        ("enable", "let a disabled account in again"),
        ("unlock", "forgive recent failed sign-ins, so the owner can sign in right away"),
        ("delete", "delete the account with its workouts, sessions and tokens"),
    ):
        sub = users.add_parser(action, help=text)
        sub.add_argument("email")
        if action == "delete":
            sub.add_argument("--yes", action="store_true", help="really delete (it cannot be undone)")


def _tokens_parser(parser: argparse.ArgumentParser) -> None:
    tokens = parser.add_subparsers(dest="action", required=True)
    create = tokens.add_parser("create", help="create an API token; printed alone on the last line")
    create.add_argument("email")
    create.add_argument("--label", default="CLI token")
    listing = tokens.add_parser("list", help="an account's tokens (prefix, label, last use, revoked)")
    listing.add_argument("email")
    revoke = tokens.add_parser("revoke", help="revoke one token by id, or all of an account's")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int, help="the token id shown by `tokens list`")
    which.add_argument("--all", metavar="EMAIL", help="revoke every live token of this account")


def _strava_parser(parser: argparse.ArgumentParser) -> None:
    strava = parser.add_subparsers(dest="action", required=True)
    strava.add_parser(
        "subscribe",
        help="ask Strava to post new activities to RUNCOACH_PUBLIC_URL/strava/webhook "
        "(the server must be running and reachable there: Strava checks it at once)",
    )
    strava.add_parser("subscriptions", help="the application's webhook subscription, if any")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        if args.command in (None, "serve"):
            return _serve(settings, getattr(args, "host", None), getattr(args, "port", None))
        if args.command == "users" and args.action == "add":
            args.password = _read_password()
        args.settings = settings
        asyncio.run(_with_database(settings, ACTIONS[(args.command, args.action)], args))
        return 0
    except (RunCoachError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    import os

    # NiceGUI reads its storage path when imported: keep it with the rest of the data.
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str((settings.data_dir / ".nicegui").resolve()))
    if settings.redis_url:  # read by NiceGUI when imported: browser sessions in Redis, for every replica
        os.environ.setdefault("NICEGUI_REDIS_URL", settings.redis_url)
    from runcoach.app import serve  # imports NiceGUI: only for the command that needs it

    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    serve(settings.model_copy(update=updates))
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


async def _with_database(settings: Settings, action: Action, args: argparse.Namespace) -> None:
    database = Database(settings.resolved_database_url)
    try:
        await database.start()
        await action(database, args)
    finally:
        await database.close()


def _now() -> datetime:
    return SystemClock().now()


def _describe(user: User) -> str:
    flags = [f for f, on in (("admin", user.is_admin), ("disabled", user.disabled)) if on]
    return f"{user.id}\t{user.email}\t{user.name}\t{','.join(flags) or '-'}"


async def _users_add(database: Database, args: argparse.Namespace) -> None:
    user = await service.create_user(
        database, email=args.email, name=args.name, password=args.password, is_admin=args.admin, now=_now()
    )
    print(f"created {'admin' if user.is_admin else 'user'} {user.email} (id {user.id})")


async def _users_list(database: Database, args: argparse.Namespace) -> None:
    print("id\temail\tname\tflags")
    for user in await service.list_users(database):
        print(_describe(user))


async def _users_disable(database: Database, args: argparse.Namespace) -> None:
    user = await service.set_disabled(database, email=args.email, disabled=True, now=_now())
    print(f"disabled {user.email}: sign-in, tokens, browser sessions and live commands are refused")


async def _users_enable(database: Database, args: argparse.Namespace) -> None:
    user = await service.set_disabled(database, email=args.email, disabled=False, now=_now())
    print(f"enabled {user.email}")


async def _users_unlock(database: Database, args: argparse.Namespace) -> None:
    forgiven = await service.unlock(database, email=args.email)
    print(f"unlocked {args.email.strip().lower()}: {forgiven} recent failed sign-ins forgiven")


async def _users_delete(database: Database, args: argparse.Namespace) -> None:
    if not args.yes:
        raise RunCoachError(f"this deletes {args.email} and all its data: add --yes to confirm")
    user = await service.delete_user(database, email=args.email)
    print(f"deleted {user.email} (id {user.id}) with its workouts, sessions and tokens")


async def _tokens_create(database: Database, args: argparse.Namespace) -> None:
    user = await service.user_by_email(database, email=args.email)
    _, plain = await service.create_token(database, user_id=user.id, label=args.label, now=_now())
    print(f"token for {user.email} ('{args.label}'); it is shown only once:")
    print(plain)


async def _tokens_list(database: Database, args: argparse.Namespace) -> None:
    user = await service.user_by_email(database, email=args.email)
    print("id\tprefix\tlabel\tcreated\tlast used\trevoked")
    for t in await service.list_tokens(database, user_id=user.id):
        stamps = [f"{m:%Y-%m-%d %H:%M}" if m else "-" for m in (t.created_at, t.last_used_at, t.revoked_at)]
        print("\t".join([str(t.id), f"{t.prefix}…", t.label, *stamps]))


async def _tokens_revoke(database: Database, args: argparse.Namespace) -> None:
    if args.all:
        count = await service.revoke_all_tokens(database, email=args.all, now=_now())
        print(f"revoked {count} tokens of {args.all.strip().lower()}")
        return
    await service.revoke_token(database, token_id=args.id, user_id=None, now=_now())
    print(f"revoked token {args.id}")


def _strava(settings: Settings, database: Database) -> Strava:
    clock = SystemClock()
    return Strava(settings, database, clock, Cipher(load_token_key(settings), clock))


async def _strava_subscribe(database: Database, args: argparse.Namespace) -> None:
    strava = _strava(args.settings, database)
    try:
        ident = await strava.subscribe()
    finally:
        await strava.close()
    print(f"subscribed: Strava posts new activities to {strava.webhook_url} (subscription {ident})")


async def _strava_subscriptions(database: Database, args: argparse.Namespace) -> None:
    strava = _strava(args.settings, database)
    try:
        found = await strava.client.subscriptions()
    finally:
        await strava.close()
    if not found:
        print("no subscription: run `runcoach strava subscribe`")
    for sub in found:
        print(f"{sub.get('id')}\t{sub.get('callback_url')}\tsince {sub.get('created_at')}")


ACTIONS: dict[tuple[str, str], Action] = {
    ("users", "add"): _users_add,
    ("users", "list"): _users_list,
    ("users", "disable"): _users_disable,
    ("users", "enable"): _users_enable,
    ("users", "unlock"): _users_unlock,
    ("users", "delete"): _users_delete,
    ("tokens", "create"): _tokens_create,
    ("tokens", "list"): _tokens_list,
    ("tokens", "revoke"): _tokens_revoke,
    ("strava", "subscribe"): _strava_subscribe,
    ("strava", "subscriptions"): _strava_subscriptions,
}


if __name__ == "__main__":
    raise SystemExit(main())
