"""How the coach chat reads, without a page: banner, status notes, stamps, proposal cards, token use,
and the pacing of a streaming reply's redraws."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from runcoach.coach import present_chat as words
from runcoach.coach.present_context import panel
from runcoach.domain.accounts import Units
from runcoach.domain.coach import (
    ChatMessage,
    CoachContext,
    Memory,
    MemoryKind,
    MessageStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Role,
    Usage,
)
from runcoach.domain.errors import Conflict
from runcoach.domain.plan_edits import Changed, Moved, PlanDiff, WeekChange
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.rules import PlanBreaksRules, Rule, Violation

T = datetime(2026, 3, 18, 6, 30, tzinfo=UTC)
MONDAY = date(2026, 3, 16)


def message(role: Role, status: MessageStatus, error: str | None = None, text: str = "Hi") -> ChatMessage:
    return ChatMessage(id=7, role=role, text=text, status=status, created_at=T, error=error)


def proposal(
    status: ProposalStatus, *, kind: ProposalKind = ProposalKind.EDITS, version: int | None = None
) -> Proposal:
    return Proposal(
        id=3,
        message_id=7,
        kind=kind,
        plan_id=1,
        base_version=2,
        reason="Sore calves",
        summary="Wednesday becomes a rest day.",
        status=status,
        version=version,
        created_at=T,
    )


def test_the_banner_says_how_to_turn_claude_on_when_it_is_off_and_names_the_model_when_on() -> None:
    off = words.banner("the built-in coach", False)
    assert off.startswith("The AI coach is off: you are talking to the built-in coach")
    assert "set RUNCOACH_ANTHROPIC_API_KEY and restart" in off
    assert words.banner("Claude (claude-sonnet-4-5)", True) == "Claude (claude-sonnet-4-5)"
    assert words.coach_name("the built-in coach", False) == "the built-in coach (no API key set)"


@pytest.mark.parametrize(
    ("role", "status", "error", "note", "retry"),
    [
        (Role.USER, MessageStatus.COMPLETE, None, None, False),
        (Role.ASSISTANT, MessageStatus.COMPLETE, None, None, False),
        (Role.ASSISTANT, MessageStatus.STREAMING, None, None, False),
        (Role.ASSISTANT, MessageStatus.INCOMPLETE, "Stopped.", "Incomplete: Stopped.", True),
        (Role.ASSISTANT, MessageStatus.INCOMPLETE, None, "Incomplete.", True),
        (Role.ASSISTANT, MessageStatus.FAILED, "Claude is overloaded.", "Claude is overloaded.", True),
        (Role.ASSISTANT, MessageStatus.FAILED, None, words.FAILED_NOTE, True),
    ],
)
def test_a_reply_says_how_it_ended_and_whether_it_can_be_retried(
    role: Role, status: MessageStatus, error: str | None, note: str | None, retry: bool
) -> None:
    found = message(role, status, error)
    assert words.status_note(found) == note
    assert words.can_retry(found) is retry


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 3, 18, 6, 30, tzinfo=UTC), "07:30"),  # today in Berlin (UTC+1 in March)
        (datetime(2026, 3, 17, 23, 30, tzinfo=UTC), "00:30"),  # yesterday in UTC, today in Berlin
        (datetime(2026, 3, 16, 8, 5, tzinfo=UTC), "Mon 16 Mar 09:05"),
        (datetime(2025, 12, 31, 8, 0, tzinfo=UTC), "Wed 31 Dec 2025 09:00"),
    ],
)
def test_a_stamp_is_the_time_today_and_the_day_before_in_the_runners_zone(
    moment: datetime, shown: str
) -> None:
    assert words.stamp(moment, ZoneInfo("Europe/Berlin"), date(2026, 3, 18)) == shown


def test_load_earlier_is_offered_while_a_full_page_comes_back() -> None:
    assert words.more_before(words.PAGE_SIZE) and not words.more_before(words.PAGE_SIZE - 1)


@pytest.mark.parametrize(
    ("status", "kind", "version", "shown"),
    [
        (ProposalStatus.PENDING, ProposalKind.EDITS, None, "Nothing changes until you apply it."),
        (ProposalStatus.APPLIED, ProposalKind.EDITS, 4, "Applied as version 4"),
        (ProposalStatus.APPLIED, ProposalKind.PLAN, 1, "Applied: it is your active plan now."),
        (ProposalStatus.DISCARDED, ProposalKind.EDITS, None, "Discarded"),
    ],
)
def test_a_proposal_card_says_where_it_stands(
    status: ProposalStatus, kind: ProposalKind, version: int | None, shown: str
) -> None:
    assert words.proposal_status(proposal(status, kind=kind, version=version)) == shown


def test_the_reason_is_said_once_when_it_is_the_summary_again() -> None:
    pending = proposal(ProposalStatus.PENDING)
    assert words.reason_line(pending) == "Why: Sore calves"
    same = pending.model_copy(update={"reason": "Wednesday becomes a rest day. "})
    assert words.reason_line(same) is None


def test_the_titles_tell_a_change_from_a_whole_new_plan() -> None:
    assert words.proposal_title(proposal(ProposalStatus.PENDING)) == "Plan change proposed"
    plan = proposal(ProposalStatus.PENDING, kind=ProposalKind.PLAN)
    assert words.proposal_title(plan) == "New plan proposed"


def a_diff() -> PlanDiff:
    wed = MONDAY + timedelta(days=2)
    return PlanDiff(
        added=(),
        removed=(),
        moved=(Moved(wid=5, from_date=wed, to_date=wed + timedelta(days=1)),),
        changed=(
            Changed(
                wid=6,
                date=wed + timedelta(days=4),
                what=("type", "length"),
                before_type=WorkoutType.TEMPO,
                after_type=WorkoutType.EASY,
                before_duration_s=3600,
                after_duration_s=1800,
            ),
        ),
        weeks=(
            WeekChange(
                start_date=MONDAY,
                before_km=30.0,
                after_km=24.96,
                change_km=-5.04,
                before_duration_s=10000,
                after_duration_s=9000,
                change_duration_s=-1000,
            ),
            WeekChange(
                start_date=MONDAY + timedelta(weeks=1),
                before_km=32.0,
                after_km=32.01,
                change_km=0.01,
                before_duration_s=10000,
                after_duration_s=10000,
                change_duration_s=0,
            ),
        ),
    )


def test_the_diff_lists_the_days_like_the_versions_page_and_the_weeks_whose_volume_changes() -> None:
    diff = a_diff()
    assert words.change_lines(diff) == [
        ("moved", "Moved: Wednesday 18 March → Thursday 19 March"),
        ("changed", "Changed: Sunday 22 March, tempo 1:00:00 → easy 30:00"),
    ]
    assert words.change_lines(None) == []
    # The second week's 0.01 km rounds away: it is no change to the runner.
    assert words.week_lines(diff, Units.METRIC) == ["Week of Mon 16 Mar: 30.0 → 25.0 km"]
    assert words.week_lines(diff, Units.IMPERIAL) == ["Week of Mon 16 Mar: 18.6 → 15.5 mi"]


def test_apply_errors_name_the_rules_broken_now_or_say_the_sentence() -> None:
    broken = PlanBreaksRules(
        [
            Violation(
                rule=Rule.UNAVAILABLE_DAY, date=MONDAY, message="Monday is not one of your training days."
            )
        ]
    )
    assert words.apply_error(broken) == (
        "The plan changed since this was proposed, and the change no longer passes: "
        "Monday is not one of your training days."
    )
    assert (
        words.apply_error(Conflict("This proposal was already applied."))
        == "This proposal was already applied."
    )


def test_token_use_reads_today_and_total_with_thousands_separated() -> None:
    today = Usage(input_tokens=1200, output_tokens=80, cache_read_tokens=5000, cache_write_tokens=0)
    total = today + Usage(input_tokens=1_000_000, output_tokens=20)
    rows = words.usage_rows(2, today, 12, total)
    assert [(r.key, r.label, r.today, r.total) for r in rows] == [
        ("replies", "Replies", "2", "12"),
        ("input_tokens", "Input tokens", "1,200", "1,001,200"),
        ("output_tokens", "Output tokens", "80", "100"),
        ("cache_read_tokens", "Cache read tokens", "5,000", "5,000"),
        ("cache_write_tokens", "Cache write tokens", "0", "0"),
    ]
    assert words.sent_line(3, 100) == "3 of 100 messages sent today; the count starts again at midnight."


def test_the_pacer_allows_a_redraw_at_once_then_at_most_one_per_interval() -> None:
    pacer = words.Pacer(0.05)
    assert pacer.delay(10.0) == 0.0
    pacer.drawn(10.0)
    assert pacer.delay(10.01) == pytest.approx(0.04)
    assert pacer.delay(10.05) == 0.0 and pacer.delay(11.0) == 0.0
    pacer.pending = True
    pacer.drawn(10.05)
    assert not pacer.pending and pacer.delay(10.06) == pytest.approx(0.04)


def test_the_memory_section_is_the_one_the_page_lists_with_delete_buttons() -> None:
    assert words.is_memory_section("Memories in use") and not words.is_memory_section("Profile")
    titles = [title for title, _ in panel(CoachContext(today=MONDAY, name="Ann", profile=None))]
    assert [t for t in titles if words.is_memory_section(t)] == ["Memories in use"]


def test_memories_are_listed_by_kind_newest_first_within_each() -> None:
    def memory(n: int, kind: MemoryKind) -> Memory:
        return Memory(id=n, kind=kind, text=f"note {n}", created_at=T)

    newest_first = [
        memory(4, MemoryKind.PREFERENCE),
        memory(3, MemoryKind.WEEKLY),
        memory(2, MemoryKind.INJURY),
    ]
    newest_first.append(memory(1, MemoryKind.WEEKLY))
    assert [m.id for m in words.memories_in_order(newest_first)] == [3, 1, 2, 4]
