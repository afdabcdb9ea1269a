"""The coach chat's widgets: the runner's and the coach's bubbles, a proposal's card with Apply and
Discard, and the conversation itself (history, "Load earlier", the composer, a reply streaming in).

Thin, as pages are: the chat service (`context().coach`) stores and writes everything, the
proposals service applies and discards, `runcoach.coach.present_chat` words it. A reply is written
by the service's own task; the page only follows it (`Reply.events()`) in a background task of its
own, so a closed tab loses nothing and a reloaded one picks the reply up where it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, tzinfo

from nicegui import background_tasks, ui

from pages.forms import ErrorLabel
from runcoach.coach import present_chat as words
from runcoach.coach import proposals
from runcoach.coach.chat import Delta, Finished, ProposalMade, Reply
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.coach import ChatMessage, MessageStatus, Proposal, ProposalStatus, Role
from runcoach.domain.errors import Conflict, RunCoachError
from runcoach.plans.present import DIFF_CLASSES

#: Long words, code and tables stay inside the bubbles at phone width.
CHAT_CSS = """
.rc-chat .q-message { max-width: 100%; min-width: 0; }
.rc-chat .q-message-container > div { min-width: 0; max-width: 100%; }
.rc-chat .q-message-text { overflow-wrap: anywhere; }
.rc-chat .q-message-text--received { max-width: 100%; }
.rc-chat .nicegui-markdown pre, .rc-chat .nicegui-markdown table { display: block; max-width: 100%;
  overflow-x: auto; }
.rc-chat .nicegui-markdown p { margin: 0 0 0.5em 0; }
.rc-chat .nicegui-markdown p:last-child { margin-bottom: 0; }
.rc-runner-text { white-space: pre-wrap; }
.rc-proposal { border-left: 4px solid var(--q-primary); }
"""

#: Keeps the newest message in view while the runner is at the bottom of the page (a client-side
#: observer: no message on the socket per redraw); scrolling up to read stops it until they return.
FOLLOW_JS = """
<script>
window.rcFollowChat = window.rcFollowChat || (() => {
  let near = true;
  const bottom = () => document.documentElement.scrollHeight;
  addEventListener('scroll', () => { near = innerHeight + scrollY >= bottom() - 160; }, {passive: true});
  new MutationObserver((changes) => {
    const chat = document.getElementById('rc-chat');
    if (near && chat && changes.some((c) => chat.contains(c.target))) scrollTo(0, bottom());
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  return true;
})();
</script>
"""

Changed = Callable[[], Awaitable[None]]


def runner_bubble(message: ChatMessage, when: str) -> None:
    """The runner's message, as they wrote it (plain text, line breaks kept)."""
    with ui.chat_message(name="You", stamp=when, sent=True).classes("w-full").mark(f"message-{message.id}"):
        ui.label(message.text).classes("rc-runner-text").mark("runner-text")


class ProposalCard(ui.card):
    """A proposed change: summary, why, the diff, and Apply / Discard while it is pending."""

    def __init__(self, user: User, proposal: Proposal, units: Units, on_applied: Changed) -> None:
        super().__init__()
        self.user, self.proposal_id, self.on_applied = user, proposal.id, on_applied
        self.classes("w-full gap-1 rc-proposal").mark(f"proposal-{proposal.id}")
        with self:
            ui.label(words.proposal_title(proposal)).classes("text-xs uppercase text-gray-500")
            ui.label(proposal.summary).classes("font-medium").mark("proposal-summary")
            if (why := words.reason_line(proposal)) is not None:
                ui.label(why).classes("text-sm text-gray-700").mark("proposal-reason")
            if proposal.diff is not None:
                for kind, text in words.change_lines(proposal.diff):
                    ui.label(text).classes(f"text-sm {DIFF_CLASSES[kind]}").mark(f"proposal-{kind}")
                for line in words.week_lines(proposal.diff, units):
                    ui.label(line).classes("text-sm text-gray-700").mark("proposal-week")
            with ui.row().classes("gap-2 items-center") as self.buttons:
                self.apply_button = (
                    ui.button("Apply", icon="check", on_click=self.apply)
                    .props("unelevated no-caps")
                    .mark(f"apply-{proposal.id}")
                )
                self.discard_button = (
                    ui.button("Discard", on_click=self.discard)
                    .props("flat no-caps")
                    .mark(f"discard-{proposal.id}")
                )
            self.status = (
                ui.label(words.proposal_status(proposal))
                .classes("text-sm font-medium")
                .mark(f"proposal-status-{proposal.id}")
            )
            self.error = ErrorLabel().mark(f"proposal-error-{proposal.id}")
        self._show(proposal)

    def _show(self, proposal: Proposal) -> None:
        self.status.set_text(words.proposal_status(proposal))
        self.buttons.set_visibility(proposal.status is ProposalStatus.PENDING)

    def _working(self, working: bool) -> None:
        self.apply_button.set_enabled(not working)
        self.discard_button.set_enabled(not working)

    async def apply(self) -> None:
        ctx = context()
        self.error.show("")
        self._working(True)
        try:
            decided, _ = await proposals.apply(
                ctx.db, self.user, self.proposal_id, today=ctx.today(), now=ctx.clock.now()
            )
        except RunCoachError as exc:
            await self._refused(exc)
            return
        finally:
            self._working(False)
        self._show(decided)
        await self.on_applied()

    async def discard(self) -> None:
        ctx = context()
        self.error.show("")
        self._working(True)
        try:
            decided = await proposals.discard(ctx.db, self.user, self.proposal_id, now=ctx.clock.now())
        except RunCoachError as exc:
            await self._refused(exc)
            return
        finally:
            self._working(False)
        self._show(decided)

    async def _refused(self, exc: RunCoachError) -> None:
        self.error.show(words.apply_error(exc))
        if isinstance(exc, Conflict):  # decided meanwhile (another device): show how
            try:
                self._show(await proposals.get(context().db, self.user, self.proposal_id))
            except RunCoachError:
                self.buttons.set_visibility(False)


class ReplyView:
    """The coach's bubble (markdown), its status line with Retry, and its proposals' cards."""

    def __init__(self, user: User, message: ChatMessage, when: str, units: Units, chat: Conversation) -> None:
        self.user, self.units, self.chat = user, units, chat
        self.message_id = message.id
        self.text = ""
        self.cards: dict[int, ProposalCard] = {}
        self.pacer = words.Pacer()
        self._redraw: asyncio.TimerHandle | None = None
        with ui.column().classes("w-full gap-2").mark("reply") as self.root:
            bubble = ui.chat_message(name="Coach", stamp=when, sent=False).props("bg-color=grey-2")
            # One child: Quasar wraps each child of a chat message in a bubble of its own.
            with bubble.classes("w-full"), ui.column().classes("w-full gap-1"):
                self.markdown = ui.markdown("").classes("w-full").mark("reply-text")
                self.writing = ui.spinner("dots", size="md").mark("writing")
                self.note = ui.label("").classes("text-sm text-negative").mark("reply-note")
                self.retry_button = (
                    ui.button("Retry", icon="refresh", on_click=self._retry)
                    .props("outline dense no-caps")
                    .mark("retry")
                )
            self.cards_column = ui.column().classes("w-full gap-2")
        self.show(message, last=False)

    def show(self, message: ChatMessage, *, last: bool) -> None:
        """The reply as stored: its text, status note and proposals; Retry on the last one only."""
        self.message_id = message.id
        self.text = message.text
        self.markdown.set_content(message.text)
        self.writing.set_visibility(message.status is MessageStatus.STREAMING)
        note = words.status_note(message)
        self.note.set_text(note or "")
        self.note.set_visibility(note is not None)
        self.allow_retry(last and words.can_retry(message))
        for proposal in message.proposals:
            self.add_proposal(proposal)

    def orphaned(self) -> None:
        """A streaming row nobody in this process writes: say so rather than spin forever."""
        self.writing.set_visibility(False)
        self.note.set_text(words.STILL_WRITING)
        self.note.set_visibility(True)

    def allow_retry(self, allowed: bool) -> None:
        self.retry_button.set_visibility(allowed)

    def start(self, reply_id: int) -> None:
        """A new reply is written into this bubble (a retry reuses it): empty, spinning."""
        self.message_id = reply_id
        self.text = ""
        self.markdown.set_content("")
        self.writing.set_visibility(True)
        self.note.set_visibility(False)
        self.allow_retry(False)
        self.cards.clear()
        self.cards_column.clear()

    def add(self, text: str) -> None:
        """More text streamed in: redrawn now, or once the pacer allows (one redraw pending at most)."""
        self.text += text
        if self.pacer.pending:
            return
        loop = asyncio.get_running_loop()
        delay = self.pacer.delay(loop.time())
        if delay == 0:
            self._draw()
        else:
            self.pacer.pending = True
            self._redraw = loop.call_later(delay, self._draw)

    def _draw(self) -> None:
        self.pacer.drawn(asyncio.get_running_loop().time())
        self.markdown.set_content(self.text)

    def finish(self, message: ChatMessage) -> None:
        if self._redraw is not None:
            self._redraw.cancel()
        self.pacer.pending = False
        self.show(message, last=True)

    def add_proposal(self, proposal: Proposal) -> None:
        if proposal.id in self.cards:
            return
        with self.cards_column:
            self.cards[proposal.id] = ProposalCard(self.user, proposal, self.units, self.chat.on_change)

    async def _retry(self) -> None:
        await self.chat.retry(self)


class Conversation:
    """The history (the last page, "Load earlier" for more), the composer, and a reply streaming in."""

    def __init__(self, user: User, *, zone: tzinfo, today: date, units: Units, on_change: Changed) -> None:
        self.user, self.zone, self.today, self.units = user, zone, today, units
        self.on_change = on_change
        self.coach = context().coach
        self.current: Reply | None = None
        self.task: asyncio.Task[None] | None = None
        self.last: ReplyView | None = None
        self.oldest_id: int | None = None
        ui.add_css(CHAT_CSS)
        ui.add_body_html(FOLLOW_JS)
        with ui.column().classes("w-full gap-3 rc-chat").props("id=rc-chat"):
            self.earlier = (
                ui.button("Load earlier", icon="expand_less", on_click=self.load_earlier)
                .props("flat no-caps")
                .classes("self-center")
                .mark("load-earlier")
            )
            self.empty = ui.label(words.EMPTY).classes("text-gray-600").mark("chat-empty")
            self.messages = ui.column().classes("w-full gap-3")
        with ui.column().classes("w-full gap-1 sticky bottom-0 bg-white py-2 z-10 rc-composer"):
            self.input = (
                ui.textarea(placeholder="Message the coach (Enter sends, Shift+Enter for a new line)")
                .props("autogrow outlined dense maxlength=4000")
                .classes("w-full")
                .mark("chat-input")
            )
            # Enter alone sends (not while an input method composes); Shift+Enter is a new line.
            self.input.on(
                "keydown.enter.exact.prevent", self.send, js_handler="(e) => { if (!e.isComposing) emit(); }"
            )
            with ui.row().classes("w-full items-center gap-2"):
                self.send_button = (
                    ui.button("Send", icon="send", on_click=self.send)
                    .props("unelevated no-caps")
                    .mark("send")
                )
                self.stop_button = (
                    ui.button("Stop", icon="stop", on_click=self.stop)
                    .props("outline no-caps color=negative")
                    .mark("stop")
                )
            self.error = ErrorLabel().mark("chat-error")
        self._writing(False)
        ui.context.client.on_delete(self._leave)

    # ----------------------------------------------------------------- history

    async def load(self) -> None:
        """The last page of the conversation; a reply being written is followed from where it is."""
        found = await self.coach.messages(self.user, limit=words.PAGE_SIZE)
        views = self._render(found, self.messages)
        self.earlier.set_visibility(words.more_before(len(found)))
        running = self.coach.running(self.user.id)
        if running is not None and (view := views.get(running.reply_id)) is not None:
            self.follow(running, view)
        elif running is not None:  # stored after the read above: show it as a new exchange
            self._exchange(running)

    async def load_earlier(self) -> None:
        if self.oldest_id is None:
            self.earlier.set_visibility(False)
            return
        found = await self.coach.messages(self.user, limit=words.PAGE_SIZE, before_id=self.oldest_id)
        with self.messages:
            block = ui.column().classes("w-full gap-3")
        block.move(target_index=0)
        self._render(found, block, newest=False)
        self.earlier.set_visibility(words.more_before(len(found)))

    def _render(
        self, found: list[ChatMessage], into: ui.column, *, newest: bool = True
    ) -> dict[int, ReplyView]:
        views: dict[int, ReplyView] = {}
        running = self.coach.running(self.user.id)
        with into:
            for message in found:
                if message.role is Role.USER:
                    runner_bubble(message, self._when(message))
                    continue
                view = ReplyView(self.user, message, self._when(message), self.units, self)
                views[message.id] = view
                if message.status is MessageStatus.STREAMING and (
                    running is None or running.reply_id != message.id
                ):
                    view.orphaned()
        if found:
            self.oldest_id = found[0].id
            self.empty.set_visibility(False)
        if newest and found:
            self.last = views.get(found[-1].id)
            if self.last is not None:
                self.last.allow_retry(words.can_retry(found[-1]))
        return views

    def _when(self, message: ChatMessage) -> str:
        return words.stamp(message.created_at, self.zone, self.today)

    # ----------------------------------------------------------------- sending and following

    async def send(self) -> None:
        if self.send_button.enabled is False:  # Enter while a reply is written
            return
        self.error.show("")
        self._writing(True, stoppable=False)
        try:
            reply = await self.coach.send(self.user, self.input.value or "")
        except RunCoachError as exc:  # too long, empty, the daily limit, a reply still written
            self.error.show(str(exc))
            self._writing(False)
            return
        self.input.set_value("")
        self._exchange(reply)

    def _exchange(self, reply: Reply) -> None:
        """The runner's message as stored, and the reply's bubble, following it."""
        self.empty.set_visibility(False)
        if self.last is not None:
            self.last.allow_retry(False)
        placeholder = ChatMessage(
            id=reply.reply_id,
            role=Role.ASSISTANT,
            text="",
            status=MessageStatus.STREAMING,
            created_at=reply.question.created_at,
        )
        with self.messages:
            runner_bubble(reply.question, self._when(reply.question))
            self.last = ReplyView(self.user, placeholder, self._when(placeholder), self.units, self)
        self.follow(reply, self.last)

    def follow(self, reply: Reply, view: ReplyView) -> None:
        """Stream the reply into its bubble, in a task of the page (the reply's own task writes it)."""
        self.current = reply
        view.start(reply.reply_id)
        self._writing(True)
        self.task = background_tasks.create(self._follow(reply, view), name=f"coach-page-{reply.reply_id}")

    async def _follow(self, reply: Reply, view: ReplyView) -> None:
        try:
            async for event in reply.events():
                match event:
                    case Delta():
                        view.add(event.text)
                    case ProposalMade():
                        view.add_proposal(event.proposal)
                    case Finished():
                        view.finish(event.message)
        finally:
            if self.current is reply:
                self.current = None
                self._writing(False)

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()

    async def retry(self, view: ReplyView) -> None:
        self.error.show("")
        self._writing(True, stoppable=False)
        try:
            reply = await self.coach.retry(self.user, view.message_id)
        except RunCoachError as exc:
            self.error.show(str(exc))
            self._writing(False)
            return
        self.follow(reply, view)

    def _writing(self, writing: bool, *, stoppable: bool = True) -> None:
        self.send_button.set_enabled(not writing)
        self.input.set_enabled(not writing)
        self.stop_button.set_visibility(writing and stoppable)

    # ----------------------------------------------------------------- reset and leaving

    def cleared(self) -> None:
        """After a reset: nothing to follow, nothing shown."""
        self._leave()
        self.current = None
        self.last = None
        self.oldest_id = None
        self.messages.clear()
        self.empty.set_visibility(True)
        self.earlier.set_visibility(False)
        self._writing(False)

    def _leave(self) -> None:
        # The page stops following; the reply goes on being written by the service.
        if self.task is not None and not self.task.done():
            self.task.cancel()
