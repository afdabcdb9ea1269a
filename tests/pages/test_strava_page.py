"""Page stories for /strava (and the Strava card on Settings): the setup card on a server without
Strava's settings; connecting through Strava's consent page and watching the import; a connection
missing scopes; callbacks that must connect nothing; disconnecting; the auto-upload switch.

The app is the real one, with its real Strava client pointed at the fake Strava on 127.0.0.1 (one
per module, reset for every story) through the RUNCOACH_STRAVA_* settings, which are set before the
app starts. The app's own job worker imports the activities in the background on the system clock,
so the stories wait for what the page shows, generously.
"""

from __future__ import annotations

import asyncio
import html
import inspect
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.fernet import Fernet
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from runcoach.context import context
from runcoach.db import strava as strava_queries
from runcoach.domain.accounts import User as Account
from runcoach.domain.strava import MISSING_READ, MISSING_WRITE
from runcoach.strava.service import BAD_STATE, CANCELLED, NOT_SET_UP
from tests.fake_strava import FakeStrava
from tests.helpers import PATIENCE, add_account, sign_in, the

ATHLETE = 7_000_000_001
#: The address the simulated browser reaches the app at: Strava sends the runner back there.
APP_URL = "http://test"
CALLBACK = f"{APP_URL}/strava/callback"
SCOPES = "read,activity:read_all,activity:write"
#: What the app says when Strava's token endpoint refuses the code (runcoach/strava/client.py).
REFUSED = "Strava did not accept the sign-in: connect again."
#: should_see retries every 0.1 s: the import runs in the app's background worker, so give it a minute.
IMPORT_PATIENCE = 600
ACTIVITIES = 30


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeStrava]:
    with FakeStrava() as fake:  # the system clock, as the app's worker has
        yield fake


@pytest.fixture
def fake(fake_server: FakeStrava) -> FakeStrava:
    """The fake, fresh, with Ada Runner, who approves the consent page."""
    fake_server.reset()
    fake_server.add_athlete(ATHLETE, "Ada", "Runner")
    return fake_server


@pytest.fixture
def strava_env(fake: FakeStrava, monkeypatch: pytest.MonkeyPatch) -> FakeStrava:
    """Strava's settings, pointing at the fake. Name it in `usefixtures`: it must run before the app
    starts (the `user` fixture), and fixtures named there come before the test's arguments."""
    for name, value in {
        "RUNCOACH_PUBLIC_URL": APP_URL,
        "RUNCOACH_STRAVA_CLIENT_ID": fake.client_id,
        "RUNCOACH_STRAVA_CLIENT_SECRET": fake.client_secret,
        "RUNCOACH_STRAVA_VERIFY_TOKEN": "verify-me-please",
        "RUNCOACH_STRAVA_OAUTH_URL": fake.oauth_url,
        "RUNCOACH_STRAVA_API_URL": fake.api_url,
        "RUNCOACH_STRAVA_BACKFILL_WEEKS": "12",
        "RUNCOACH_TOKEN_KEY": Fernet.generate_key().decode(),
    }.items():
        monkeypatch.setenv(name, value)
    return fake


def runs_at_strava(fake: FakeStrava, n: int = ACTIVITIES) -> None:
    """`n` runs, one a day, all inside the twelve weeks the backfill imports."""
    first = datetime.now(UTC).replace(microsecond=0) - timedelta(days=n + 1)
    fake.add_activities(ATHLETE, n, start=first)


async def runner(user: User, email: str = "ann@example.com") -> Account:
    await context().db.ready()
    ann = await add_account(email)
    await sign_in(user, email)
    return ann


async def until(check: Callable[[], object], what: str, timeout_s: float = PATIENCE / 10) -> None:
    """Wait for something the page does not show as text (`check` may be a coroutine function)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        done = check()
        if inspect.isawaitable(done):
            done = await done
        if done:
            return
        assert loop.time() < deadline, f"waited in vain for {what}"
        await asyncio.sleep(0.05)


async def tap_connect(user: User, monkeypatch: pytest.MonkeyPatch) -> httpx.URL:
    """Tap "Connect with Strava"; where the browser is sent (the simulation cannot leave the app)."""
    targets: list[object] = []
    with monkeypatch.context() as patch:
        patch.setattr(user.navigate, "to", lambda target, new_tab=False: targets.append(target))
        user.find(kind=ui.button, content="Connect with Strava").click()
        await until(lambda: targets, "the Connect button to send the browser to Strava")
    (target,) = targets
    assert isinstance(target, str)
    return httpx.URL(target)


async def at_strava(url: httpx.URL, *, approve: bool = True) -> tuple[str, str]:
    """Strava's consent page as the runner sees it, then Authorize (or Cancel) on it: the page's
    text, and the app's callback path (with its query) Strava sends the browser back to."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as browser:
        page = await browser.get(url)
        assert page.status_code == 200, page.text
        if approve:
            action = re.search(r'<form id="authorize-form" method="get" action="([^"]+)"', page.text)
            assert action is not None and 'id="authorize"' in page.text
            fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
            form = {name: html.unescape(value) for name, value in fields}
            answer = await browser.get(url.join(html.unescape(action[1])), params=form)
        else:
            cancel = re.search(r'<a id="cancel" href="([^"]+)"', page.text)
            assert cancel is not None
            answer = await browser.get(url.join(html.unescape(cancel[1])))
    assert answer.is_redirect, answer.text
    back = httpx.URL(answer.headers["location"])
    assert str(back.copy_with(query=None)) == CALLBACK
    return page.text, back.raw_path.decode()


def callback(state: str, **params: str) -> str:
    return str(httpx.URL("/strava/callback", params={"state": state, **params}))


def state_for(user_id: int) -> str:
    """The state of a connect link the app made for `user_id`."""
    return httpx.URL(context().strava.connect_url(user_id)).params["state"]


async def connect(user: User, fake: FakeStrava, ann: Account, scope: str = SCOPES) -> None:
    """Ann comes back from Strava having approved `scope` (Strava calls the page's callback)."""
    code = fake.grant(ATHLETE, scope)
    await user.open(callback(state_for(ann.id), code=code, scope=scope))
    await user.should_see(marker="strava-athlete", content="Connected as Ada Runner")


async def imported(user: User, n: int) -> None:
    await user.should_see(
        marker="strava-imported", content=f"Imported: {n} activities", retries=IMPORT_PATIENCE
    )


def in_open_dialog(user: User, text: str) -> UserInteraction[ui.button]:
    """The button `text` in the dialog that is open (a closed one stays in the page)."""
    (dialog,) = [d for d in user.find(kind=ui.dialog).elements if d.value]
    buttons = {e for e in dialog.descendants() if isinstance(e, ui.button) and e.text == text}
    assert len(buttons) == 1, f"{text!r} in the open dialog"
    return UserInteraction(user, buttons, None)


# --------------------------------------------------------------------------- not set up


async def test_without_strava_settings_the_page_says_how_to_set_it_up(user: User) -> None:
    await runner(user)
    await user.open("/strava")
    await user.should_see("Strava is not set up on this server", marker="strava-setup")
    with user.scope(marker="strava-setup"):
        await user.should_see(NOT_SET_UP)
        for name in ("RUNCOACH_STRAVA_CLIENT_ID", "RUNCOACH_STRAVA_CLIENT_SECRET", "RUNCOACH_PUBLIC_URL"):
            await user.should_see(name)
    await user.should_not_see("Connect with Strava")

    # A callback reaching a server without the settings changes nothing and says why.
    await user.open(callback("whatever", code="abc", scope="read"))
    await user.should_see(NOT_SET_UP, marker="strava-flash")
    await user.should_see(marker="strava-setup")

    await user.open("/settings")
    await user.should_see(marker="strava-card")
    with user.scope(marker="strava-card"):
        await user.should_see("Not set up on this server yet: the Strava page says how.")


# --------------------------------------------------------------------------- connecting


@pytest.mark.usefixtures("app_backend", "strava_env")
async def test_a_runner_connects_at_strava_and_watches_the_runs_arrive(
    user: User, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs_at_strava(fake)
    ann = await runner(user)
    await user.open("/settings")
    with user.scope(marker="strava-card"):
        await user.should_see("Not connected: runs done outdoors can count in your plan once it is.")
    await user.open("/strava")
    await user.should_see("Connect with Strava")

    authorize = await tap_connect(user, monkeypatch)
    assert str(authorize.copy_with(query=None)) == f"{fake.oauth_url}/authorize"
    assert authorize.params["client_id"] == fake.client_id
    assert authorize.params["redirect_uri"] == CALLBACK
    assert authorize.params["response_type"] == "code"
    assert set(authorize.params["scope"].split(",")) == {"read", "activity:read_all", "activity:write"}
    consent, back = await at_strava(authorize)
    assert "Signed in as Ada Runner" in consent

    await user.open(back)
    await user.should_see(marker="strava-athlete", content="Connected as Ada Runner")
    await user.should_not_see(marker="strava-flash")
    await user.should_not_see(marker="strava-problem")  # every scope asked for was granted
    await imported(user, ACTIVITIES)
    await until(lambda: the(user, ui.linear_progress, "strava-progress").value == 1.0, "a full bar")
    assert fake.count("/oauth/token") == 1

    await user.open("/settings")
    with user.scope(marker="strava-card"):
        await user.should_see(f"Connected as Ada Runner: {ACTIVITIES} activities imported.")
    status = await context().strava.status(ann.id)
    assert status.connected and status.imported == ACTIVITIES and not status.importing


@pytest.mark.usefixtures("strava_env")
async def test_a_connection_allowed_only_to_read_the_profile_says_both_things_it_cannot_do(
    user: User, fake: FakeStrava
) -> None:
    runs_at_strava(fake, 3)
    ann = await runner(user)
    await connect(user, fake, ann, scope="read")
    await user.should_see(MISSING_READ, marker="strava-problem")
    await user.should_see(MISSING_WRITE, marker="strava-problem")
    assert len(user.find(marker="strava-problem").elements) == 2
    await user.should_see(marker="strava-imported", content="Imported: 0 activities")
    # Nothing it may read, so nothing is asked for.
    assert fake.count("/api/v3/athlete/activities") == 0


#: Each way a callback can fail, and whether the app got as far as trading the code at Strava.
FAILED_CALLBACKS = {
    "another runner's state": False,
    "a forged state": False,
    "cancelled at Strava": False,
    "a code Strava refuses": True,
    "Strava down": True,
}


@pytest.mark.parametrize("case", list(FAILED_CALLBACKS))
@pytest.mark.usefixtures("strava_env")
async def test_a_callback_that_fails_says_why_and_connects_nothing(
    user: User, fake: FakeStrava, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    ann = await runner(user)
    bob = await add_account("bob@example.com")
    await user.open("/strava")
    await user.should_see("Connect with Strava")
    said: str | None
    if case == "cancelled at Strava":
        _, back = await at_strava(await tap_connect(user, monkeypatch), approve=False)
        assert httpx.URL(back).params["error"] == "access_denied"
        said = CANCELLED
    elif case in ("another runner's state", "a forged state"):
        state = state_for(bob.id) if case == "another runner's state" else "not-a-state"
        back = callback(state, code=fake.grant(ATHLETE), scope=SCOPES)
        said = BAD_STATE
    elif case == "a code Strava refuses":
        back = callback(state_for(ann.id), code="not-a-code-strava-made", scope=SCOPES)
        said = REFUSED
    else:
        fake.fail_next(503, times=3, path="/oauth/token")
        back = callback(state_for(ann.id), code=fake.grant(ATHLETE), scope=SCOPES)
        said = None  # a sentence saying Strava is not answering (its wording is not pinned here)

    await user.open(back)
    if said is None:
        await user.should_see(marker="strava-flash")
    else:
        await user.should_see(said, marker="strava-flash")
    await user.should_see("Connect with Strava")
    await user.should_not_see(marker="strava-athlete")
    assert fake.count("/oauth/token") == int(FAILED_CALLBACKS[case])
    assert not (await context().strava.status(ann.id)).connected
    assert not (await context().strava.status(bob.id)).connected

    await user.open("/strava")  # the sentence is said once
    await user.should_see("Connect with Strava")
    await user.should_not_see(marker="strava-flash")


# --------------------------------------------------------------------------- once connected


@pytest.mark.usefixtures("app_backend", "strava_env")
async def test_disconnecting_after_confirming_revokes_the_access_at_strava(
    user: User, fake: FakeStrava
) -> None:
    runs_at_strava(fake, 5)
    ann = await runner(user)
    await connect(user, fake, ann)
    await imported(user, 5)

    user.find(marker="strava-disconnect").click()
    await user.should_see("Disconnect Strava?")
    in_open_dialog(user, "Cancel").click()
    await until(lambda: not any(d.value for d in user.find(kind=ui.dialog).elements), "the dialog to close")
    assert (await context().strava.status(ann.id)).connected
    assert fake.deauthorized == set()

    user.find(marker="strava-disconnect").click()
    await user.should_see("Disconnect Strava?")
    in_open_dialog(user, "Disconnect").click()
    await user.should_see("Connect with Strava")
    await user.should_not_see(marker="strava-athlete")
    assert fake.deauthorized == {ATHLETE}
    assert fake.tokens_of(ATHLETE) == []
    assert not (await context().strava.status(ann.id)).connected
    async with context().db.session() as db:  # the imported runs went with the connection
        assert await strava_queries.count_activities(db, owner_id=ann.id) == 0


@pytest.mark.usefixtures("strava_env")
async def test_the_auto_upload_switch_is_remembered(user: User, fake: FakeStrava) -> None:
    ann = await runner(user)
    await connect(user, fake, ann)
    await imported(user, 0)
    assert the(user, ui.switch, "strava-auto-upload").value is False

    user.find(marker="strava-auto-upload").click()

    async def saved() -> bool:
        return (await context().strava.status(ann.id)).auto_upload

    await until(saved, "the switch to be saved")

    await user.open("/strava")
    await user.should_see(marker="strava-auto-upload")
    assert the(user, ui.switch, "strava-auto-upload").value is True


@pytest.mark.usefixtures("strava_env")
async def test_the_import_redraws_the_status_and_the_runs_but_not_an_open_dialog(
    user: User, fake: FakeStrava
) -> None:
    start = datetime.now(UTC) - timedelta(days=20)  # three pages of the last three weeks
    fake.add_activities(ATHLETE, 600, start=start, every=timedelta(minutes=45))
    fake.delay_s = 0.5  # the page polls while they come
    ann = await runner(user)
    await connect(user, fake, ann)
    user.find(marker="strava-disconnect").click()
    await user.should_see("Disconnect Strava?")
    await imported(user, 600)
    assert [d for d in user.find(kind=ui.dialog).elements if d.value], "the dialog stayed open"
    await user.should_see(kind=ui.select)  # the runs listed with their planned day, no reload
    await user.should_not_see("No runs imported")
    in_open_dialog(user, "Cancel").click()
    assert (await context().strava.status(ann.id)).connected
