"""Sign in, sign out, first-run setup and registration with an invite code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, ui

from pages.forms import ErrorLabel, card, password_input
from pages.layout import frame
from runcoach.auth import service
from runcoach.auth.web import (
    COMPLETE_PATH,
    begin_sign_in,
    client_address,
    complete_sign_in,
    current_user,
    forget,
    setup_needed,
)
from runcoach.context import context
from runcoach.domain.accounts import User, safe_redirect
from runcoach.domain.errors import RunCoachError


@ui.page("/")
async def home() -> Response | None:
    if await setup_needed():
        return RedirectResponse("/setup")
    return RedirectResponse("/today" if await current_user() else "/login")


@ui.page("/login")
async def login(redirect_to: str | None = None) -> Response | None:
    if await setup_needed():
        return RedirectResponse("/setup")
    if await current_user():
        return RedirectResponse(safe_redirect(redirect_to))

    async def submit() -> None:
        ctx = context()
        try:
            user = await service.sign_in(
                ctx.db,
                email=email.value,
                password=password.value,
                address=client_address(),
                now=ctx.clock.now(),
            )
        except RunCoachError as exc:
            error.show(str(exc))
            return
        ui.navigate.to(begin_sign_in(user, redirect_to, ctx.clock.now()))

    with frame("Sign in"), card():
        email = ui.input("Email").props("autocomplete=username autofocus").classes("w-full")
        password = password_input().props("autocomplete=current-password").on("keydown.enter", submit)
        error = ErrorLabel()
        ui.button("Sign in", on_click=submit).classes("w-full")
        ui.link("Have an invite code? Create your account", "/register").classes("text-sm")
    return None


@app.get(COMPLETE_PATH, include_in_schema=False)
async def login_complete(request: Request, ticket: str = "") -> Response:
    """The sign-in's last step over HTTP: a new browser id (cookie), then the page asked for."""
    target = await complete_sign_in(request, ticket)
    return RedirectResponse(target or "/login", status_code=303)


@ui.page("/logout")
def logout() -> Response:
    forget()
    return RedirectResponse("/login")


class AccountForm:
    """Name, email, password twice and an error line; on submit creates the account and signs in."""

    def __init__(self, button: str, create: Callable[[AccountForm], Awaitable[User]]) -> None:
        self.create = create
        self.name = ui.input("Your name").classes("w-full")
        self.email = ui.input("Email").props("autocomplete=username").classes("w-full")
        self.password = password_input().props("autocomplete=new-password")
        self.confirm = password_input("Repeat password").props("autocomplete=new-password")
        self.error = ErrorLabel()
        ui.button(button, on_click=self.submit).classes("w-full")

    async def submit(self) -> None:
        if self.password.value != self.confirm.value:
            self.error.show("The two passwords differ")
            return
        try:
            user = await self.create(self)
        except RunCoachError as exc:
            self.error.show(str(exc))
            return
        ui.navigate.to(begin_sign_in(user, "/workouts", context().clock.now()))


@ui.page("/setup")
async def setup() -> Response | None:
    if not await setup_needed():
        return PlainTextResponse("Setup is done. Sign in at /login.", status_code=404)

    async def create(form: AccountForm) -> User:
        ctx = context()
        return await service.create_first_admin(
            ctx.db,
            email=form.email.value,
            name=form.name.value,
            password=form.password.value,
            now=ctx.clock.now(),
        )

    with frame("Welcome to RunCoach"), card():
        ui.markdown("Create the **admin account**. You can invite other runners later.")
        AccountForm("Create admin account", create)
    return None


@ui.page("/register")
async def register(code: str = "") -> Response | None:
    if await setup_needed():
        return RedirectResponse("/setup")

    async def create(form: AccountForm) -> User:
        ctx = context()
        return await service.register_with_invite(
            ctx.db,
            code=invite.value,
            email=form.email.value,
            name=form.name.value,
            password=form.password.value,
            now=ctx.clock.now(),
        )

    with frame("Create your account"), card():
        invite = ui.input("Invite code", value=code).classes("w-full")
        AccountForm("Create account", create)
        ui.link("Already have an account? Sign in", "/login").classes("text-sm")
    return None
