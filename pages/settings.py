"""Settings: personal API tokens (shown once, listed with last use, revocable); admin: invite codes."""

from __future__ import annotations

from datetime import datetime

from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import ui

from pages.forms import ErrorLabel
from pages.layout import frame
from pages.reminder_widgets import reminders_card
from runcoach.auth import service
from runcoach.auth.web import current_user
from runcoach.coach import present_chat
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.errors import RunCoachError
from runcoach.plans import feed


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


@ui.refreshable
async def token_table(user: User) -> None:
    tokens = await service.list_tokens(context().db, user_id=user.id)
    if not tokens:
        ui.label("No tokens yet.").classes("text-gray-500")
    for token in tokens:
        with ui.row().classes("w-full items-center gap-3 border-b py-1"):
            ui.label(token.label).classes("font-medium")
            ui.label(f"{token.prefix}…").classes("font-mono text-gray-500")
            ui.label(f"created {when(token.created_at)} · last used {when(token.last_used_at)}").classes(
                "text-sm text-gray-600"
            )
            ui.space()
            if token.revoked_at:
                ui.badge("revoked", color="grey")
            else:
                ui.button("Revoke", on_click=lambda t=token.id: revoke(user, t)).props("flat color=negative")


async def revoke(user: User, token_id: int) -> None:
    ctx = context()
    await service.revoke_token(ctx.db, token_id=token_id, user_id=user.id, now=ctx.clock.now())
    token_table.refresh()


UNIT_CHOICES = {Units.METRIC.value: "Metric: km/h, min/km", Units.IMPERIAL.value: "Imperial: mph, min/mi"}


def units_card(user: User) -> None:
    """How the run views show speed and pace; saved as soon as it is switched."""

    async def save(units: str) -> None:
        await service.set_units(context().db, user_id=user.id, units=units)
        saved.set_text("Saved: the run views use it from their next load.")

    with ui.card().classes("w-full"):
        ui.label("Units").classes("text-lg font-semibold")
        ui.toggle(UNIT_CHOICES, value=user.units, on_change=lambda e: save(e.value)).props("no-caps").mark(
            "units"
        )
        saved = ui.label("").classes("text-sm text-gray-600").mark("units-saved")


async def feed_card(user: User) -> None:
    """The private calendar feed: make (or replace) the secret link, shown once, or stop it."""
    base = str(ui.context.client.request.base_url).rstrip("/")

    async def make() -> None:
        ctx = context()
        token = await feed.new_link(ctx.db, user.id, ctx.clock.now())
        link.set_text(f"{base}/feeds/{token}.ics")
        link_box.set_visibility(True)
        state.set_text("Active: a new link was made now; the one before stopped working.")

    async def stop() -> None:
        await feed.stop(context().db, user.id)
        link_box.set_visibility(False)
        state.set_text("No feed: no link works.")

    made = await feed.has_link(context().db, user.id)
    with ui.card().classes("w-full"):
        ui.label("Calendar feed").classes("text-lg font-semibold")
        ui.label(
            "Subscribe to your plan in a phone calendar with a secret link. Anyone with the link can "
            "read your plan: make a new one to stop the old."
        ).classes("text-sm text-gray-700")
        state = (
            ui.label(f"Active since {when(made)}." if made else "No feed yet.")
            .classes("text-sm text-gray-600")
            .mark("feed-state")
        )
        with ui.row().classes("gap-2"):
            ui.button("New link", icon="link", on_click=make).props("no-caps").mark("feed-new")
            ui.button("Stop", on_click=stop).props("flat no-caps color=negative").mark("feed-stop")
        with ui.column().classes("w-full bg-amber-50 p-3 rounded") as link_box:
            ui.label("Copy it now: it is shown only once.").classes("text-sm")
            link = ui.label("").classes("font-mono break-all").mark("feed-link")
        link_box.set_visibility(False)


async def coach_card(user: User) -> None:
    """Which coach is on, messages sent today of the daily limit, and replies and tokens used."""
    coach = context().coach
    report = await coach.usage(user)
    rows = present_chat.usage_rows(report.replies_today, report.today, report.replies_total, report.total)
    with ui.card().classes("w-full").mark("coach-card"):
        ui.label("Coach").classes("text-lg font-semibold")
        ui.label(f"Coach: {present_chat.coach_name(coach.backend.label, coach.backend.is_ai)}").classes(
            "text-sm text-gray-700"
        ).mark("coach-which")
        ui.label(present_chat.sent_line(report.sent_today, report.daily_limit)).classes(
            "text-sm text-gray-700"
        ).mark("coach-sent")
        with ui.grid(columns="auto auto auto").classes("gap-x-6 gap-y-1 text-sm"):
            for heading in ("", "Today", "Total"):
                ui.label(heading).classes("font-medium text-right first:text-left")
            for row in rows:
                ui.label(row.label)
                ui.label(row.today).classes("text-right tabular-nums").mark(f"usage-today-{row.key}")
                ui.label(row.total).classes("text-right tabular-nums").mark(f"usage-total-{row.key}")


async def strava_card(user: User) -> None:
    """Whether Strava is connected, and the way to its page."""
    status = await context().strava.status(user.id)
    if not status.configured:
        line = "Not set up on this server yet: the Strava page says how."
    elif status.connected:
        line = f"Connected as {status.athlete_name}: {status.imported} activities imported."
    else:
        line = "Not connected: runs done outdoors can count in your plan once it is."
    with ui.card().classes("w-full").mark("strava-card"):
        ui.label("Strava").classes("text-lg font-semibold")
        ui.label(line).classes("text-sm text-gray-700")
        ui.button("Open Strava settings", on_click=lambda: ui.navigate.to("/strava")).props("outline")


@ui.page("/settings")
async def settings_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")

    async def create() -> None:
        ctx = context()
        try:
            _, plain = await service.create_token(
                ctx.db, user_id=user.id, label=label.value, now=ctx.clock.now()
            )
        except RunCoachError as exc:
            error.show(str(exc))
            return
        error.show("")
        shown.set_text(plain)
        shown_box.set_visibility(True)
        token_table.refresh()

    with frame("Settings", user):
        ui.label(f"Signed in as {user.name} ({user.email})").classes("text-gray-600")
        units_card(user)
        await coach_card(user)
        await strava_card(user)
        await reminders_card(user)
        await feed_card(user)
        with ui.card().classes("w-full"):
            ui.label("API tokens").classes("text-lg font-semibold")
            ui.markdown("Scripts use a token as `Authorization: Bearer <token>`. See [/docs](/docs).")
            with ui.row().classes("w-full items-end"):
                label = ui.input("Label", placeholder="e.g. home server").classes("grow").mark("token-label")
                ui.button("Create token", on_click=create)
            error = ErrorLabel()
            with ui.column().classes("w-full bg-amber-50 p-3 rounded") as shown_box:
                ui.label("Copy it now: it is shown only once.").classes("text-sm")
                shown = ui.label("").classes("font-mono break-all").mark("new-token")
            shown_box.set_visibility(False)
            await token_table(user)
    return None


@ui.refreshable
async def invite_table() -> None:
    ctx = context()
    invites = await service.list_invites(ctx.db)
    now = ctx.clock.now()
    for invite in invites:
        with ui.row().classes("w-full items-center gap-3 border-b py-1"):
            ui.label(f"Invite #{invite.id}")
            ui.label(f"created {when(invite.created_at)}, expires {when(invite.expires_at)}").classes(
                "text-sm"
            )
            ui.badge(invite.status(now))


@ui.refreshable
async def account_table(admin: User) -> None:
    """Every account with its state; unlock after failed sign-ins, disable or enable (not oneself)."""
    note = ui.label("").classes("text-sm text-gray-600").mark("accounts-note")
    for account in await service.list_users(context().db):
        with ui.row().classes("w-full items-center gap-3 border-b py-1"):
            ui.label(f"{account.name} ({account.email})").classes("font-medium")
            if account.disabled:
                ui.badge("disabled", color="grey")
            ui.space()
            ui.button("Unlock", on_click=lambda a=account: unlock(a, note)).props("flat").mark(
                f"unlock-{account.id}"
            )
            if account.id != admin.id:
                action = "Enable" if account.disabled else "Disable"
                ui.button(action, on_click=lambda a=account: toggle(a)).props("flat color=negative").mark(
                    f"disable-{account.id}"
                )


async def unlock(account: User, note: ui.label) -> None:
    forgiven = await service.unlock(context().db, email=account.email)
    note.set_text(f"Unlocked {account.email}: {forgiven} failed sign-ins forgiven.")


async def toggle(account: User) -> None:
    ctx = context()
    await service.set_disabled(
        ctx.db, email=account.email, disabled=not account.disabled, now=ctx.clock.now()
    )
    account_table.refresh()


@ui.page("/admin")
async def admin_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    if not user.is_admin:
        return PlainTextResponse("Admins only", status_code=403)

    async def create() -> None:
        ctx = context()
        _, code = await service.create_invite(ctx.db, admin=user, now=ctx.clock.now())
        code_label.set_text(code)
        link.set_text(f"/register?code={code}")
        box.set_visibility(True)
        invite_table.refresh()

    with frame("Admin", user):
        with ui.card().classes("w-full"):
            ui.label("Runners").classes("text-lg font-semibold")
            await account_table(user)
        with ui.card().classes("w-full"):
            ui.label("Invite a runner").classes("text-lg font-semibold")
            ui.label("An invite code works once and expires after 7 days.").classes("text-sm text-gray-600")
            ui.button("Create invite code", on_click=create)
            with ui.column().classes("bg-amber-50 p-3 rounded") as box:
                ui.label("Share this code (shown only once):").classes("text-sm")
                code_label = ui.label("").classes("font-mono text-lg").mark("invite-code")
                link = ui.label("").classes("font-mono text-sm text-gray-600")
            box.set_visibility(False)
            await invite_table()
        await troubled_reminders()
    return None


async def troubled_reminders() -> None:
    """Reminders the mail server refused (waiting for a retry) or that were given up, with why."""
    troubled = await context().reminders.troubled()
    with ui.card().classes("w-full").mark("troubled-reminders"):
        ui.label("Reminders not delivered").classes("text-lg font-semibold")
        if not troubled:
            ui.label("None: every reminder went out.").classes("text-sm text-gray-600")
        for item in troubled:
            with ui.row().classes("w-full items-center gap-3 border-b py-1"):
                ui.label(f"{when(item.created_at)} · runner {item.owner_id} · {item.title}").classes(
                    "text-sm"
                )
                ui.space()
                state = "given up" if item.status.value == "failed" else "will retry"
                ui.label(f"{state}: {item.last_error}").classes("text-sm text-negative")
