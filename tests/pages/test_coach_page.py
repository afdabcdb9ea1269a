"""Page stories for /coach: ask the built-in coach, apply and discard its proposals, history across
reloads, the banner, a reply that fails, is stopped or is followed from another tab, memories, reset,
the daily limit, and token use on Settings.

Stories that need a reply to fail, to stream slowly or to report tokens put a scripted backend in
the chat service's place (`use`): the service, the database and the page are the real ones, only
the model is a script.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from runcoach.coach import present_chat, proposals
from runcoach.coach.backend import CoachUnavailable, Turn
from runcoach.coach.chat import STOPPED
from runcoach.context import context
from runcoach.db import coach as coach_queries
from runcoach.domain.accounts import User as Account
from runcoach.domain.coach import (
    ChatMessage,
    CoachEvent,
    MemoryKind,
    MemoryNote,
    MessageStatus,
    ProposalStatus,
    Role,
    TextDelta,
    ToolCall,
    TurnEnd,
    Usage,
)
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import Author
from runcoach.domain.profile import Weekday
from runcoach.plans import service
from runcoach.profiles import service as profiles
from tests.helpers import PATIENCE, PLAN_PROFILE, add_account, easy_plan, sign_in, tempo_today, the

Step = CoachEvent | Exception | asyncio.Event


class Scripted:
    """A coach backend that plays one script per turn: events, an exception to raise, or an event to
    wait for (a reply still being written). Past the scripts it answers "OK."."""

    def __init__(self, *turns: Sequence[Step], is_ai: bool = True) -> None:
        self.turns = list(turns)
        self.is_ai = is_ai
        self.label = "Claude (scripted-model)" if is_ai else "the built-in coach"

    async def turn(self, turn: Turn) -> AsyncIterator[CoachEvent]:
        steps = self.turns.pop(0) if self.turns else said("OK.")
        for step in steps:
            if isinstance(step, Exception):
                raise step
            if isinstance(step, asyncio.Event):
                await step.wait()
                continue
            yield step


def use(backend: Scripted) -> Scripted:
    """The app's coach answers with `backend` from now on (the replies and the memory job)."""
    coach = context().coach
    coach.backend = backend
    coach.memory.backend = backend
    return backend


def said(*texts: str, usage: Usage | None = None) -> list[Step]:
    return [*(TextDelta(text=t) for t in texts), TurnEnd(stop_reason="end_turn", usage=usage or Usage())]


async def runner(user: User, *, every_day: bool = False) -> Account:
    """Ann, signed in, with a profile (every day a training day when asked)."""
    ann = await add_account("ann@example.com")
    ctx = context()
    profile = PLAN_PROFILE
    if every_day:
        profile = PLAN_PROFILE.model_copy(update={"available_days": list(Weekday), "max_minutes": {}})
    await profiles.save_profile(ctx.db, ann.id, profile, ctx.clock.now())
    await sign_in(user, "ann@example.com")
    return ann


async def plan_from_this_week(ann: Account, weekdays: tuple[int, ...] = (0, 2, 4)) -> int:
    ctx = context()
    today = ctx.today()
    draft = easy_plan(today - timedelta(days=today.weekday()), weekdays=weekdays)
    stored = await service.store_new(ctx.db, ann.id, goal_id=None, seed=1, draft=draft, now=ctx.clock.now())
    return stored.plan.id


async def rest_the_last_day(ann: Account) -> ToolCall:
    """The coach's tool call that rests the plan's last day (it breaks no rule: nothing comes after)."""
    wid = (await service.current(context().db, ann.id)).draft.days[-1].wid
    edits = [{"op": "rest", "wid": wid}]
    return ToolCall(
        id="call-1", name="propose_plan_changes", input={"reason": "A lighter end", "edits": edits}
    )


def ask(user: User, text: str) -> None:
    user.find(marker="chat-input").clear().type(text)
    user.find(marker="send").click()


async def until(check: Callable[[], bool], what: str) -> None:
    """Wait (up to PATIENCE tenths of a second) for something the page shows without text."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE / 10
    while not check():
        assert loop.time() < deadline, f"waited in vain for {what}"
        await asyncio.sleep(0.05)


async def free(user: User) -> None:
    """The reply has ended: the Send button is back."""
    await until(lambda: the(user, ui.button, "send").enabled, "the Send button to come back")


async def replies(ann: Account) -> list[ChatMessage]:
    return [m for m in await context().coach.messages(ann) if m.role is Role.ASSISTANT]


# --------------------------------------------------------------------------- the built-in coach


async def a_tempo_today(ann: Account) -> None:
    ctx = context()
    draft = tempo_today(ctx.today())
    await service.store_new(ctx.db, ann.id, goal_id=None, seed=1, draft=draft, now=ctx.clock.now())


@pytest.mark.usefixtures("app_backend")  # Apply writes the version and decides the proposal in one go
async def test_the_built_in_coach_answers_sore_calves_with_a_change_that_applies(user: User) -> None:
    ann = await runner(user, every_day=True)
    await a_tempo_today(ann)
    await user.open("/coach")
    await user.should_see("The AI coach is off: you are talking to the built-in coach")
    ask(user, "my calves are sore")
    await user.should_see("my calves are sore")
    await user.should_see(marker="proposal-summary")
    await free(user)
    [reply] = await replies(ann)
    assert reply.status is MessageStatus.COMPLETE and reply.text.strip()
    await user.should_see(reply.text.strip().split("\n")[0][:30])
    [proposal] = reply.proposals
    await user.should_see(marker="proposal-changed")  # today's tempo becomes an easy run
    await user.should_see("Plan 1, version 1")  # what the coach sees
    user.find(marker=f"apply-{proposal.id}").click()
    await user.should_see("Applied as version 2")
    current = await service.current(context().db, ann.id)
    assert current.number == 2 and current.created_by is Author.COACH
    today = current.draft.on(context().today())
    assert today is not None and today.type is WorkoutType.EASY
    await user.should_not_see(marker=f"apply-{proposal.id}")
    await user.should_see("Plan 1, version 2")  # the panel follows the applied change


async def test_a_proposal_can_be_discarded_and_the_plan_stays(user: User) -> None:
    ann = await runner(user)
    await plan_from_this_week(ann)
    use(
        Scripted(
            [TextDelta(text="Let us rest the last day."), await rest_the_last_day(ann)], said("Proposed.")
        )
    )
    await user.open("/coach")
    ask(user, "can I rest more?")
    await user.should_see(marker="proposal-summary")
    await user.should_see("Why: A lighter end")
    await user.should_see(marker="proposal-changed")
    await free(user)
    [reply] = await replies(ann)
    [proposal] = reply.proposals
    user.find(marker=f"discard-{proposal.id}").click()
    await user.should_see("Discarded")
    await user.should_not_see(marker=f"apply-{proposal.id}")
    assert (await service.current(context().db, ann.id)).number == 1
    [reply] = await replies(ann)
    assert reply.proposals[0].status is ProposalStatus.DISCARDED


async def test_apply_after_another_device_discarded_says_so_on_the_card(user: User) -> None:
    ann = await runner(user)
    await plan_from_this_week(ann)
    use(Scripted([await rest_the_last_day(ann)], said("Proposed.")))
    await user.open("/coach")
    ask(user, "rest more")
    await user.should_see(marker="proposal-summary")
    await free(user)
    [reply] = await replies(ann)
    proposal = reply.proposals[0]
    ctx = context()
    await proposals.discard(ctx.db, ann, proposal.id, now=ctx.clock.now())
    user.find(marker=f"apply-{proposal.id}").click()
    await user.should_see("This proposal was already discarded.")
    await user.should_not_see(marker=f"apply-{proposal.id}")
    assert (await service.current(ctx.db, ann.id)).number == 1


# --------------------------------------------------------------------------- history and the banner


@pytest.mark.usefixtures("app_backend")
async def test_the_conversation_is_there_after_reopening_the_page_and_on_another_device(
    user: User, create_user: Callable[[], User]
) -> None:
    ann = await runner(user)
    use(Scripted(said("Easy ", "does ", "it."), said("**Sleep** well.")))
    await user.open("/coach")
    await user.should_see(marker="chat-empty")
    ask(user, "how should I run today?")
    await user.should_see("Easy does it.")
    await free(user)
    user.find(marker="chat-input").type("and tonight?").trigger("keydown.enter.exact.prevent")
    await user.should_see("**Sleep** well.")
    await free(user)
    assert the(user, ui.textarea, "chat-input").value == ""

    await user.open("/coach")
    for text in ("how should I run today?", "Easy does it.", "and tonight?", "**Sleep** well."):
        await user.should_see(text)
    await user.should_not_see(marker="chat-empty")
    await user.should_not_see(marker="load-earlier")

    phone = create_user()
    await sign_in(phone, "ann@example.com")
    await phone.open("/coach")
    await phone.should_see("and tonight?")
    assert len(await context().coach.messages(ann)) == 4


async def test_load_earlier_brings_older_messages_fifty_at_a_time(user: User) -> None:
    ann = await runner(user)
    ctx = context()
    async with ctx.db.session() as db:
        for n in range(1, 56):
            role = Role.USER if n % 2 else Role.ASSISTANT
            await coach_queries.add_message(
                db,
                owner_id=ann.id,
                role=role,
                text=f"Message number {n:02}.",
                status=MessageStatus.COMPLETE,
                now=ctx.clock.now(),
            )
    await user.open("/coach")
    await user.should_see("Message number 55.")
    await user.should_see("Message number 06.")
    await user.should_not_see("Message number 05.")
    user.find(marker="load-earlier").click()
    await user.should_see("Message number 01.")
    await user.should_not_see(marker="load-earlier")


async def test_with_claude_on_the_banner_is_a_small_label_with_the_model(user: User) -> None:
    await runner(user)
    use(Scripted())
    await user.open("/coach")
    await user.should_see("Claude (scripted-model)")
    await user.should_see(marker="coach-on")
    await user.should_not_see(marker="coach-off")


async def test_the_nav_leads_to_the_coach(user: User) -> None:
    await runner(user)
    await user.open("/progress")
    user.find(kind=ui.button, content="Coach").click()
    await user.should_see(marker="chat-input")


# --------------------------------------------------------------------------- replies that go wrong


async def test_a_failed_reply_says_why_and_retry_answers_the_same_message(user: User) -> None:
    ann = await runner(user)
    unavailable = CoachUnavailable("Claude is overloaded right now. Try again in a minute.")
    use(Scripted([unavailable], said("Here you go: rest.")))
    await user.open("/coach")
    ask(user, "what now?")
    await user.should_see("Claude is overloaded right now. Try again in a minute.")
    await user.should_see(marker="retry")
    await free(user)
    user.find(marker="retry").click()
    await user.should_see("Here you go: rest.")
    await user.should_not_see(marker="retry")
    await user.should_not_see("Claude is overloaded")
    found = await context().coach.messages(ann)
    assert [(m.role, m.text) for m in found] == [
        (Role.USER, "what now?"),
        (Role.ASSISTANT, "Here you go: rest."),
    ]


async def test_stop_keeps_the_text_so_far_as_incomplete_with_retry(user: User) -> None:
    ann = await runner(user)
    never = asyncio.Event()
    use(Scripted([TextDelta(text="Start with ten minutes"), never]))
    await user.open("/coach")
    ask(user, "plan my run")
    await user.should_see("Start with ten minutes")
    await user.should_see(marker="stop")
    assert not the(user, ui.button, "send").enabled
    user.find(marker="stop").click()
    await user.should_see(f"Incomplete: {STOPPED}")
    await user.should_see(marker="retry")
    await free(user)
    await user.should_not_see(marker="stop")
    [reply] = await replies(ann)
    assert (reply.status, reply.text) == (MessageStatus.INCOMPLETE, "Start with ten minutes")


async def test_a_page_opened_during_a_reply_follows_it_to_the_end(
    user: User, create_user: Callable[[], User]
) -> None:
    await runner(user)
    go_on = asyncio.Event()
    use(
        Scripted(
            [TextDelta(text="First part. "), go_on, TextDelta(text="Second part."), TurnEnd(stop_reason="x")]
        )
    )
    await user.open("/coach")
    ask(user, "tell me")
    await user.should_see("First part.")
    tablet = create_user()
    await sign_in(tablet, "ann@example.com")
    await tablet.open("/coach")
    await tablet.should_see("First part.")
    await tablet.should_see(marker="stop")
    go_on.set()
    await tablet.should_see("First part. Second part.")
    await free(tablet)
    await user.should_see("First part. Second part.")


async def test_a_fast_stream_is_drawn_in_a_few_updates_and_a_pause_shows_everything_so_far(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    await runner(user)
    pause = asyncio.Event()
    words = [TextDelta(text=f"w{n} ") for n in range(400)]
    use(Scripted([*words, pause, TextDelta(text="end."), TurnEnd(stop_reason="end_turn")]))
    drawn: list[str] = []
    original = ui.markdown.set_content

    def counted(self: ui.markdown, content: str) -> None:
        drawn.append(content)
        original(self, content)

    monkeypatch.setattr(ui.markdown, "set_content", counted)
    await user.open("/coach")
    ask(user, "go")
    await user.should_see("w399")  # the stream stopped: the last redraw still came
    assert drawn[-1] == "".join(w.text for w in words)
    pause.set()
    await user.should_see("w399 end.")
    await free(user)
    # 401 deltas, drawn a handful of times (each at most 20 a second), not 401.
    assert len(drawn) < 40, len(drawn)


async def test_a_reply_no_process_is_writing_says_so_instead_of_spinning(user: User) -> None:
    ann = await runner(user)
    ctx = context()
    async with ctx.db.session() as db:
        for role, status, text in (
            (Role.USER, MessageStatus.COMPLETE, "hello?"),
            (Role.ASSISTANT, MessageStatus.STREAMING, "Half a rep"),
        ):
            await coach_queries.add_message(
                db, owner_id=ann.id, role=role, text=text, status=status, now=ctx.clock.now()
            )
    await user.open("/coach")
    await user.should_see("Half a rep")
    await user.should_see(present_chat.STILL_WRITING)
    await user.should_not_see(marker="writing")
    assert the(user, ui.button, "send").enabled


async def test_send_errors_keep_the_text_and_say_why(user: User) -> None:
    await runner(user)
    use(Scripted())
    context().coach.daily_limit = 1
    await user.open("/coach")
    ask(user, "one")
    await user.should_see("OK.")
    await free(user)
    ask(user, "two: keep me")
    await user.should_see("You have sent the coach 1 messages today, the daily limit")
    assert the(user, ui.textarea, "chat-input").value == "two: keep me"
    context().coach.daily_limit = 100
    user.find(marker="chat-input").clear().type("   ")
    user.find(marker="send").click()
    await user.should_see("Write a message to the coach first.")


# --------------------------------------------------------------------------- what the coach sees


async def test_a_memory_can_be_deleted_from_the_panel(user: User) -> None:
    ann = await runner(user)
    ctx = context()
    async with ctx.db.session() as db:
        made = await coach_queries.add_memories(
            db,
            owner_id=ann.id,
            notes=[
                MemoryNote(kind=MemoryKind.INJURY, text="Left calf tight in March"),
                MemoryNote(kind=MemoryKind.PREFERENCE, text="Likes runs before work"),
            ],
            now=ctx.clock.now(),
        )
    await user.open("/coach")
    await user.should_see(marker="context-panel")
    await user.should_see("Injuries and issues: Left calf tight in March")
    await user.should_see("Preferences: Likes runs before work")
    user.find(marker=f"forget-{made[0].id}").click()
    await user.should_not_see("Left calf tight in March")
    await user.should_see("Likes runs before work")
    assert [m.text for m in await ctx.coach.memories(ann)] == ["Likes runs before work"]


async def test_reset_asks_first_then_clears_the_conversation_and_the_memories(user: User) -> None:
    ann = await runner(user)
    ctx = context()
    use(Scripted(said("Noted.")))
    async with ctx.db.session() as db:
        await coach_queries.add_memories(
            db,
            owner_id=ann.id,
            notes=[MemoryNote(kind=MemoryKind.WEEKLY, text="30 km a week")],
            now=ctx.clock.now(),
        )
    await user.open("/coach")
    ask(user, "remember this")
    await user.should_see("Noted.")
    await free(user)
    user.find(marker="reset").click()
    await user.should_see(present_chat.RESET_QUESTION)
    dialog = the(user, ui.dialog, "reset-dialog")
    assert dialog.value
    user.find(marker="reset-cancel").click()
    await until(lambda: not dialog.value, "the dialog to close")
    assert len(await ctx.coach.messages(ann)) == 2
    user.find(marker="reset").click()
    user.find(marker="reset-confirm").click()
    await user.should_see(marker="chat-empty")
    await until(lambda: not dialog.value, "the dialog to close")
    await user.should_not_see("remember this")
    await user.should_see(marker="no-memories")
    assert await ctx.coach.messages(ann) == [] and await ctx.coach.memories(ann) == []


# --------------------------------------------------------------------------- Settings


async def test_settings_shows_the_coach_and_its_token_use_after_a_reply(user: User) -> None:
    await runner(user)
    used = Usage(input_tokens=1200, output_tokens=345, cache_read_tokens=5000, cache_write_tokens=1500)
    use(Scripted(said("Fine.", usage=used)))
    await user.open("/settings")
    await user.should_see(marker="coach-card")
    assert the(user, ui.label, "usage-total-input_tokens").text == "0"
    await user.open("/coach")
    ask(user, "hello")
    await user.should_see("Fine.")
    await free(user)
    await user.open("/settings")
    await user.should_see("Coach: Claude (scripted-model)")
    await user.should_see("1 of 100 messages sent today")
    for key, value in (
        ("replies", "1"),
        ("input_tokens", "1,200"),
        ("output_tokens", "345"),
        ("cache_read_tokens", "5,000"),
        ("cache_write_tokens", "1,500"),
    ):
        assert the(user, ui.label, f"usage-today-{key}").text == value
        assert the(user, ui.label, f"usage-total-{key}").text == value


async def test_reset_during_a_reply_stops_it_and_the_next_message_is_answered(user: User) -> None:
    await runner(user)
    use(Scripted([TextDelta(text="Half a thought"), asyncio.Event()], said("A fresh start.")))
    await user.open("/coach")
    ask(user, "tell me")
    await user.should_see("Half a thought")
    user.find(marker="reset").click()
    user.find(marker="reset-confirm").click()
    await user.should_see(marker="chat-empty")
    await user.should_not_see("Half a thought")
    await free(user)
    ask(user, "again")
    await user.should_see("A fresh start.")


async def test_a_reply_whose_conversation_was_deleted_meanwhile_still_ends(user: User) -> None:
    """Another process reset the conversation while this one wrote a reply: it ends all the same,
    and the runner can send again (nothing waits forever for it)."""
    ann = await runner(user)
    go_on = asyncio.Event()
    use(Scripted([TextDelta(text="Half"), go_on, TextDelta(text=" done"), TurnEnd(stop_reason="end_turn")]))
    coach = context().coach
    reply = await coach.send(ann, "hello")
    async with context().db.session() as db:
        await coach_queries.delete_messages(db, owner_id=ann.id)
    go_on.set()
    ended = await asyncio.wait_for(reply.wait(), PATIENCE / 10)
    assert (ended.status, ended.text) == (MessageStatus.COMPLETE, "Half done")
    assert coach.running(ann.id) is None
    assert (await (await coach.send(ann, "again")).wait()).text == "OK."
