"""How the coach chat looks on the pages: the banner, a reply's status line, a proposal's card texts,
when a message was sent, token use for Settings, and how often a streaming reply is redrawn.

Pure helpers (no NiceGUI, no database, no clock): `pages/coach.py`, `pages/chat_widgets.py` and the
Settings page lay out widgets and call these. The diff of a proposal reuses the plan versions page's
wording (`runcoach.plans.present.diff_lines`) and adds the week volumes before and after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from runcoach.domain.accounts import Units
from runcoach.domain.coach import (
    ChatMessage,
    Memory,
    MemoryKind,
    MessageStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
    Usage,
)
from runcoach.domain.errors import RunCoachError
from runcoach.domain.plan_edits import PlanDiff, WeekChange
from runcoach.domain.rules import PlanBreaksRules
from runcoach.plans.present import diff_lines, distance_text, distance_value, short_date

#: Messages a page shows at first, and per "Load earlier".
PAGE_SIZE = 50
#: Shortest time between two redraws of a streaming reply: at most 20 a second, however fast the
#: deltas come, so a fast stream does not flood the socket.
REDRAW_INTERVAL_S = 0.05

AI_OFF = (
    "The AI coach is off: you are talking to the built-in coach, which understands common requests "
    "(sore or tired, short on time, move or swap a workout, how am I doing, explain a workout). To use "
    "Claude, set RUNCOACH_ANTHROPIC_API_KEY and restart."
)
EMPTY = (
    "No messages yet. Tell the coach how you feel, how much time you have, or ask about your plan: "
    'for example "my calves are sore".'
)
WHOLE = "That is the whole conversation."
FAILED_NOTE = "The coach could not answer. Try again."
STILL_WRITING = (
    "This reply is still being written elsewhere, or was cut off by a restart: reload to see how it ended."
)
RESET_QUESTION = (
    "Reset the conversation? Every message, every pending proposal and everything the coach "
    "remembers about you is deleted. Your plan stays as it is."
)
MEMORY_SECTION = "Memories in use"
PLAN_CHANGED = "The plan changed since this was proposed, and the change no longer passes: "


def banner(label: str, is_ai: bool) -> str:
    """The line above the chat: which coach answers."""
    return label if is_ai else AI_OFF


def coach_name(label: str, is_ai: bool) -> str:
    """Which coach is on, for Settings: 'Claude (model)' or 'the built-in coach (no API key)'."""
    return label if is_ai else f"{label} (no API key set)"


# --- messages -------------------------------------------------------------------------------------


def status_note(message: ChatMessage) -> str | None:
    """What a reply's status adds under its text: nothing while written and once complete."""
    if message.role is Role.USER:
        return None
    match message.status:
        case MessageStatus.INCOMPLETE:
            return f"Incomplete: {message.error}" if message.error else "Incomplete."
        case MessageStatus.FAILED:
            return message.error or FAILED_NOTE
        case MessageStatus.STREAMING | MessageStatus.COMPLETE:
            return None


def can_retry(message: ChatMessage) -> bool:
    """A failed or incomplete reply can be asked for again (the page offers it on the last one only)."""
    return message.role is Role.ASSISTANT and message.status in (
        MessageStatus.FAILED,
        MessageStatus.INCOMPLETE,
    )


def stamp(moment: datetime, zone: tzinfo, today: date) -> str:
    """When a message was sent, where the runner trains: '07:10' today, 'Mon 2 Mar 07:10' before,
    with the year when it was another year."""
    local = moment.astimezone(zone)
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    day = short_date(local.date())
    return f"{day} {clock}" if local.year == today.year else f"{day} {local.year} {clock}"


def more_before(shown: int) -> bool:
    """Whether "Load earlier" may find more: a full page came back."""
    return shown >= PAGE_SIZE


# --- proposals ------------------------------------------------------------------------------------


def proposal_title(proposal: Proposal) -> str:
    return "New plan proposed" if proposal.kind is ProposalKind.PLAN else "Plan change proposed"


def reason_line(proposal: Proposal) -> str | None:
    """'Why: ...', unless the reason is the summary again (Adapt today says both in one sentence)."""
    if proposal.reason.strip() == proposal.summary.strip():
        return None
    return f"Why: {proposal.reason}"


def proposal_status(proposal: Proposal) -> str:
    """'Applied as version 4', 'Discarded', or what the runner may do while it waits."""
    match proposal.status:
        case ProposalStatus.APPLIED:
            if proposal.kind is ProposalKind.PLAN:
                return "Applied: it is your active plan now."
            return f"Applied as version {proposal.version}" if proposal.version else "Applied"
        case ProposalStatus.DISCARDED:
            return "Discarded"
        case ProposalStatus.PENDING:
            return "Nothing changes until you apply it."


def week_lines(diff: PlanDiff, units: Units) -> list[str]:
    """Each week whose planned distance changes: 'Week of Mon 2 Mar: 30.0 → 25.0 km'."""
    return [_week_line(w, units) for w in diff.weeks if _changes(w, units)]


def _changes(week: WeekChange, units: Units) -> bool:
    # Compared as shown: a change that rounds away is no change to the runner.
    before, after = distance_value(week.before_km, units), distance_value(week.after_km, units)
    return round(before, 1) != round(after, 1)


def _week_line(week: WeekChange, units: Units) -> str:
    before = f"{distance_value(week.before_km, units):.1f}"
    return f"Week of {short_date(week.start_date)}: {before} → {distance_text(week.after_km, units)}"


def change_lines(diff: PlanDiff | None) -> list[tuple[str, str]]:
    """(kind, sentence) per day added, removed, moved or changed (the plan versions page's words)."""
    return [] if diff is None else diff_lines(diff)


def apply_error(exc: RunCoachError) -> str:
    """Why Apply did not go through: the rules broken now (the plan changed since), or the sentence."""
    if isinstance(exc, PlanBreaksRules):
        return PLAN_CHANGED + " ".join(v.message for v in exc.violations)
    return str(exc)


# --- the context panel ----------------------------------------------------------------------------


def is_memory_section(title: str) -> bool:
    """The panel's section the page lists with a delete button per memory."""
    return title == MEMORY_SECTION


def memories_in_order(memories: Sequence[Memory]) -> list[Memory]:
    """By kind (weekly, injuries, preferences), newest first within each: the panel's order."""
    kinds = list(MemoryKind)
    return sorted(memories, key=lambda m: kinds.index(m.kind))


# --- token use (Settings) -------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageRow:
    """One line of the Settings card: `key` marks it on the page."""

    key: str
    label: str
    today: str
    total: str


def usage_rows(replies_today: int, today: Usage, replies_total: int, total: Usage) -> list[UsageRow]:
    """Replies and tokens, today and in total, with thousands separated."""
    rows = [UsageRow("replies", "Replies", _n(replies_today), _n(replies_total))]
    for key, label in TOKEN_FIELDS:
        rows.append(UsageRow(key, label, _n(getattr(today, key)), _n(getattr(total, key))))
    return rows


TOKEN_FIELDS: Sequence[tuple[str, str]] = (
    ("input_tokens", "Input tokens"),
    ("output_tokens", "Output tokens"),
    ("cache_read_tokens", "Cache read tokens"),
    ("cache_write_tokens", "Cache write tokens"),
)


def sent_line(sent_today: int, daily_limit: int) -> str:
    """'3 of 100 messages sent today' (the limit resets at midnight)."""
    return f"{_n(sent_today)} of {_n(daily_limit)} messages sent today; the count starts again at midnight."


def _n(value: int) -> str:
    return f"{value:,}"


# --- streaming ------------------------------------------------------------------------------------


class Pacer:
    """When a streaming reply may be redrawn next: at most once per `interval` seconds.

    The caller passes the time (a monotonic clock) and gets the delay before the next redraw; it
    redraws when the delay is 0, and otherwise schedules one redraw for then (`pending`).
    """

    def __init__(self, interval: float = REDRAW_INTERVAL_S) -> None:
        self.interval = interval
        self.last: float | None = None
        self.pending = False

    def delay(self, now: float) -> float:
        """Seconds until a redraw is allowed (0: now)."""
        if self.last is None:
            return 0.0
        return max(0.0, self.last + self.interval - now)

    def drawn(self, now: float) -> None:
        self.last = now
        self.pending = False
