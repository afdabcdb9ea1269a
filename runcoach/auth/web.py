"""The signed-in browser: who it is, and signing in with a fresh browser id.

NiceGUI keys `app.storage.user` by the browser id in Starlette's signed `session` cookie. Sign-in
happens over socket.io, where no cookie can be set, so the page stores a short-lived single-use
ticket in the (old) browser's storage and sends the browser to /login/complete: that HTTP request
checks the ticket, gives the browser a NEW id (a new cookie), signs the user in there and wipes
the old storage. A browser id planted before sign-in (session fixation) is worth nothing after it.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

from nicegui import app, ui
from starlette.requests import Request

from runcoach.auth import service
from runcoach.auth.middleware import signed_in_user_id
from runcoach.context import context
from runcoach.domain.accounts import User, safe_redirect

COMPLETE_PATH = "/login/complete"
TICKET_TTL = timedelta(seconds=60)
_PENDING = "pending_sign_in"


async def current_user() -> User | None:
    """The signed-in user, or None (also when the account no longer exists or is disabled)."""
    user_id = signed_in_user_id()
    if user_id is None:
        return None
    return await service.active_user(context().db, user_id=user_id)


async def setup_needed() -> bool:
    """True while no account exists: the first visitor creates the admin on /setup."""
    return await service.setup_needed(context().db)


def client_address() -> str:
    """The address of the browser behind the current page (its page request; socket events too).

    Behind a reverse proxy this is what uvicorn's proxy headers and forwarded-allow-ips decide.
    """
    request = ui.context.client.request
    return request.client.host if request is not None and request.client is not None else ""


def begin_sign_in(user: User, target: str | None, now: datetime) -> str:
    """After the password check (in a page's event handler): where to send the browser next."""
    ticket = secrets.token_urlsafe(32)
    app.storage.user[_PENDING] = {
        "ticket": service.hash_secret(ticket),
        "user_id": user.id,
        "target": safe_redirect(target),
        "expires": (now + TICKET_TTL).isoformat(),
    }
    return f"{COMPLETE_PATH}?ticket={quote(ticket)}"


async def complete_sign_in(request: Request, ticket: str) -> str | None:
    """The /login/complete request: a new browser id signed in as the ticket's user; the target.

    None (nobody signed in) for a missing, wrong, used or expired ticket or a disabled account.
    """
    old = app.storage.user
    pending = old.pop(_PENDING, None)  # single use, whatever happens next
    if not isinstance(pending, dict) or not _ticket_matches(pending, ticket, context().clock.now()):
        return None
    user = await service.active_user(context().db, user_id=int(pending["user_id"]))
    if user is None:
        return None
    old.clear()
    await _switch_browser_id(request)
    app.storage.user.update(user_id=user.id)
    return safe_redirect(str(pending["target"]))


def _ticket_matches(pending: dict[str, object], ticket: str, now: datetime) -> bool:
    expected = str(pending.get("ticket", ""))
    fresh = now < datetime.fromisoformat(str(pending.get("expires")))
    return fresh and hmac.compare_digest(expected, service.hash_secret(ticket))


async def _switch_browser_id(request: Request) -> None:
    # Starlette's session middleware sends the new signed cookie with this response. NiceGUI makes
    # the user storage for a browser id when a request arrives; for an id born inside a request
    # there is only its private helper.
    new_id = str(uuid.uuid4())
    request.session["id"] = new_id
    await app.storage._create_user_storage(new_id)


def forget() -> None:
    app.storage.user.clear()
