"""Tests of the deterministic coach: phrasings to intents and slots, the answers and tool calls they
give, and the conversation after a tool result (accepted, repaired once, refused).

The plan seen by the coach starts today, Monday 7 December 2026, and runs two weeks:

    Mon  7 tempo (1, hard)     Mon 14 easy (8)
    Tue  8 easy (2)            Tue 15 hills (9, hard)
    Wed  9 intervals (3, hard) Wed 16 easy (10)
    Thu 10 recovery (4)        Thu 17 tempo (11, hard)
    Fri 11 rest (5)            Fri 18 rest (12)
    Sat 12 long (6, hard)      Sat 19 easy (13)
    Sun 13 rest (7)            Sun 20 race (14)
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.coach import TOOL_INPUTS, CoachContext, ContextDay, ProposeChanges, TextDelta, ToolCall
from runcoach.domain.coach_rules import Intent, Recognised, read, recognise, reply, respond
from runcoach.domain.plan_edits import Change, Move, Rest, Swap
from runcoach.domain.plan_model import WorkoutType

T = WorkoutType
TODAY = date(2026, 12, 7)


def on(day: int) -> date:
    return date(2026, 12, day)


def planned(wid: int, kind: WorkoutType, title: str, minutes: int) -> ContextDay:
    return ContextDay(
        wid=wid,
        date=TODAY + timedelta(days=wid - 1),
        type=kind,
        title=title,
        hard=kind in (T.TEMPO, T.INTERVALS, T.HILLS, T.LONG, T.RACE),
        minutes=minutes,
        km=round(minutes / 6, 1),
        description=f"{title}: warm up 10 min, then the main set, cool down 10 min." if minutes else "",
    )


DAYS = (
    planned(1, T.TEMPO, "Tempo 25", 45),
    planned(2, T.EASY, "Easy 40", 40),
    planned(3, T.INTERVALS, "6 x 800 m", 55),
    planned(4, T.RECOVERY, "Recovery 30", 30),
    planned(5, T.REST, "Rest", 0),
    planned(6, T.LONG, "Long run 18 km", 110),
    planned(7, T.REST, "Rest", 0),
    planned(8, T.EASY, "Easy 45", 45),
    planned(9, T.HILLS, "Hills 8 x 60 s", 50),
    planned(10, T.EASY, "Easy 40", 40),
    planned(11, T.TEMPO, "Tempo 30", 55),
    planned(12, T.REST, "Rest", 0),
    planned(13, T.EASY, "Easy 50", 50),
    planned(14, T.RACE, "Half marathon", 110),
)
PROGRESS = ("Weekly volume 32 km, up 8 % on the 4-week average.", "VDOT 46.1, up 1.2 in 6 weeks.")
CONTEXT = CoachContext(
    today=TODAY,
    name="Ana",
    profile="VDOT 46",
    plan_id=3,
    plan_version=2,
    days=DAYS,
    week="18 of 40 km done, 2 of 5 runs.",
    progress=PROGRESS,
    readiness="Leg soreness is 0.0 of 10: ready to go.",
)
NO_PLAN = CONTEXT.model_copy(update={"plan_id": None, "plan_version": None, "days": ()})


def slots(rec: Recognised) -> dict[str, Any]:
    """The slots a test names, in plain values (wids for days)."""
    return {
        "day": rec.day.wid if rec.day else None,
        "other": rec.other.wid if rec.other else None,
        "to": rec.to,
        "minutes": rec.minutes,
        "soreness": rec.soreness,
        "fatigue": rec.fatigue,
        "sleep": rec.sleep,
        "cause": rec.cause,
    }


def text_of(events: list[TextDelta | ToolCall]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def call_of(events: list[TextDelta | ToolCall]) -> ToolCall | None:
    calls = [e for e in events if isinstance(e, ToolCall)]
    assert len(calls) <= 1
    return calls[0] if calls else None


# --------------------------------------------------------------------------- phrasings


PHRASINGS: list[tuple[str, Intent, dict[str, Any]]] = [
    # sore or tired: today's workout unless another day is named
    ("my calves are sore, what should I do today?", Intent.SORE_OR_TIRED, {"day": 1, "soreness": 5}),
    ("My legs are a bit sore", Intent.SORE_OR_TIRED, {"day": 1, "soreness": 3}),
    (
        "Really sore after yesterday's run",
        Intent.SORE_OR_TIRED,
        {"day": 1, "soreness": 7, "cause": "yesterday's run"},
    ),
    (
        "My calves are sore after Tuesday's intervals",
        Intent.SORE_OR_TIRED,
        {"day": 1, "soreness": 5, "cause": "Tuesday's intervals"},
    ),
    ("very sore hamstrings", Intent.SORE_OR_TIRED, {"day": 1, "soreness": 7}),
    ("my shin hurts", Intent.SORE_OR_TIRED, {"day": 1, "soreness": 7}),
    (
        "Knee pain since the long run",
        Intent.SORE_OR_TIRED,
        {"day": 1, "soreness": 7, "cause": "the long run"},
    ),
    ("achilles feels tight", Intent.SORE_OR_TIRED, {"day": 1, "soreness": 3}),
    ("I'm tired", Intent.SORE_OR_TIRED, {"day": 1, "fatigue": 4}),
    ("I'm EXHAUSTED.", Intent.SORE_OR_TIRED, {"day": 1, "fatigue": 5}),
    ("a bit tired today", Intent.SORE_OR_TIRED, {"day": 1, "fatigue": 3}),
    ("I slept badly", Intent.SORE_OR_TIRED, {"day": 1, "sleep": 2}),
    ("didn't sleep at all last night", Intent.SORE_OR_TIRED, {"day": 1, "sleep": 1}),
    ("not sore, just tired", Intent.SORE_OR_TIRED, {"day": 1, "soreness": None, "fatigue": 4}),
    ("I'm tired, should I do tomorrow's easy run?", Intent.SORE_OR_TIRED, {"day": 2, "fatigue": 4}),
    ("sore quads and only 30 minutes", Intent.SORE_OR_TIRED, {"day": 1, "soreness": 5, "minutes": 30}),
    # short on time
    ("I only have 30 minutes today", Intent.SHORT_ON_TIME, {"day": 1, "minutes": 30}),
    ("I have 45 min", Intent.SHORT_ON_TIME, {"day": 1, "minutes": 45}),
    ("only half an hour", Intent.SHORT_ON_TIME, {"day": 1, "minutes": 30}),
    ("I've got an hour", Intent.SHORT_ON_TIME, {"day": 1, "minutes": 60}),
    ("just 20 mins tomorrow", Intent.SHORT_ON_TIME, {"day": 2, "minutes": 20}),
    ("I have an hour and a half for my long run", Intent.SHORT_ON_TIME, {"day": 6, "minutes": 90}),
    ("forty-five minutes max", Intent.SHORT_ON_TIME, {"day": 1, "minutes": 45}),
    ("1.5 hours on Saturday", Intent.SHORT_ON_TIME, {"day": 6, "minutes": 90}),
    ("short on time today", Intent.SHORT_ON_TIME, {"day": 1, "minutes": None}),
    # move
    ("move my long run to Sunday", Intent.MOVE, {"day": 6, "to": on(13)}),
    ("can I do Saturday's long run on Sunday instead", Intent.MOVE, {"day": 6, "to": on(13)}),
    ("Can I run my long run on Sunday instead of Saturday?", Intent.MOVE, {"day": 6, "to": on(13)}),
    ("move today's run to tomorrow", Intent.MOVE, {"day": 1, "to": on(8)}),
    ("postpone my tempo by a day", Intent.MOVE, {"day": 1, "to": on(8)}),
    ("push the long run back a day", Intent.MOVE, {"day": 6, "to": on(13)}),
    ("move the long run a day earlier", Intent.MOVE, {"day": 6, "to": on(11)}),
    ("move Wednesday's intervals to Friday", Intent.MOVE, {"day": 3, "to": on(11)}),
    ("can I run tomorrow's workout today?", Intent.MOVE, {"day": 2, "to": on(7)}),
    ("reschedule my hills to the 17th", Intent.MOVE, {"day": 9, "to": on(17)}),
    ("move my long run to 2026-12-13", Intent.MOVE, {"day": 6, "to": on(13)}),
    ("move the long run to sun", Intent.MOVE, {"day": 6, "to": on(13)}),
    ("move it", Intent.MOVE, {"day": 1, "to": None}),
    ("I want to do my long run tomorrow", Intent.MOVE, {"day": 6, "to": on(8)}),
    ("can I do the long run on Sunday?", Intent.MOVE, {"day": 6, "to": on(13)}),
    ("I'm away on Saturday, can the long run be on Friday?", Intent.MOVE, {"day": 6, "to": on(11)}),
    ("I'm sore, can I move my long run to Sunday?", Intent.MOVE, {"day": 6, "to": on(13), "soreness": 5}),
    # swap
    ("swap tuesday and thursday", Intent.SWAP, {"day": 2, "other": 4}),
    ("swap my long run with Saturday's easy run", Intent.SWAP, {"day": 6, "other": 13}),
    ("Switch today's run with Wednesday's", Intent.SWAP, {"day": 1, "other": 3}),
    ("swap tomorrow and the day after tomorrow", Intent.SWAP, {"day": 2, "other": 3}),
    ("can I swap the hills and the tempo?", Intent.SWAP, {"day": 9, "other": 1}),
    ("swap my long run", Intent.SWAP, {"day": 6, "other": None}),
    # skip, easier
    ("can I skip today?", Intent.SKIP, {"day": 1}),
    ("I need a day off tomorrow", Intent.SKIP, {"day": 2}),
    ("should I rest today?", Intent.SKIP, {"day": 1}),
    ("I'm exhausted, should I skip Wednesday's intervals?", Intent.SKIP, {"day": 3, "fatigue": 5}),
    ("can I do an easy run instead?", Intent.MAKE_EASIER, {"day": 1}),
    ("make Wednesday easier", Intent.MAKE_EASIER, {"day": 3}),
    # progress
    ("how am I doing?", Intent.HOW_AM_I_DOING, {}),
    ("Am I on track?", Intent.HOW_AM_I_DOING, {}),
    ("how's my training going", Intent.HOW_AM_I_DOING, {}),
    ("show me my progress", Intent.HOW_AM_I_DOING, {}),
    # explain
    ("what's tomorrow's workout about?", Intent.EXPLAIN_WORKOUT, {"day": 2}),
    ("why do I run intervals?", Intent.EXPLAIN_WORKOUT, {"day": 3}),
    ("what is a tempo run for", Intent.EXPLAIN_WORKOUT, {"day": 1}),
    ("what's on Saturday?", Intent.EXPLAIN_WORKOUT, {"day": 6}),
    ("how long is Saturday's long run?", Intent.EXPLAIN_WORKOUT, {"day": 6}),
    ("what is fartlek?", Intent.EXPLAIN_WORKOUT, {"day": None}),
    ("tomorrow's workout?", Intent.EXPLAIN_WORKOUT, {"day": 2}),
    ("what's the long run on Sunday?", Intent.EXPLAIN_WORKOUT, {"day": None}),
    # the rest
    ("hi", Intent.GREETING, {}),
    ("Good morning coach", Intent.GREETING, {}),
    ("thanks!", Intent.THANKS, {}),
    ("what can you do?", Intent.HELP, {}),
    ("bananas", Intent.HELP, {}),
    ("", Intent.HELP, {}),
]


@pytest.mark.parametrize(("text", "intent", "expected"), PHRASINGS, ids=[p[0] or "empty" for p in PHRASINGS])
def test_a_phrasing_gives_its_intent_and_slots(text: str, intent: Intent, expected: dict[str, Any]) -> None:
    rec = recognise(text, CONTEXT)
    assert rec.intent is intent
    found = slots(rec)
    assert {k: found[k] for k in expected} == expected


def test_a_named_day_the_plan_does_not_hold_resolves_to_nothing_but_is_kept() -> None:
    rec = recognise("move my fartlek to Sunday", CONTEXT)
    assert rec.day is None
    assert rec.asked.type is T.FARTLEK and rec.to == on(13)


# --------------------------------------------------------------------------- answers and their tool calls


def test_sore_calves_adapt_today_with_the_soreness_read() -> None:
    events = respond("My calves are sore after Tuesday's intervals, what should I do today?", CONTEXT)
    text, call = text_of(events), call_of(events)
    assert text.startswith(
        "Sore calves after Tuesday's intervals are common. I'd make today (Monday 7 December)"
    )
    assert "**Tempo 25**" in text and "easy run of 45 minutes" in text and "soreness 5 of 10" in text
    assert call is not None and call.name == "adapt_today" and call.id == "rules-1"
    assert call.input == {"wid": 1, "soreness": 5}
    assert isinstance(events[-1], ToolCall)  # text first, then the call


@pytest.mark.parametrize(
    ("text", "tool_input", "words"),
    [
        ("my calves are sore", {"wid": 1, "soreness": 5}, "easy run of 45 minutes"),
        ("my knee hurts", {"wid": 1, "soreness": 7}, "see a physio"),
        ("I'm exhausted", {"wid": 1, "fatigue": 5}, "I'd rest today"),
        ("I slept badly", {"wid": 1, "sleep": 2}, "hard session"),
        ("I only have 30 minutes", {"wid": 1, "minutes_available": 30}, "shorten it to 30"),
        ("I only have 15 minutes", {"wid": 1, "minutes_available": 15}, "too little"),
        ("just 20 minutes for my long run", {"wid": 6, "minutes_available": 20}, "shorten it to 20"),
        ("I have an hour", None, "fits in your 60 minutes"),
        ("a bit tired", None, "can stay as planned"),
        ("I'm sore, what about tomorrow?", None, "gentle already"),
        ("I'm tired, is Friday ok?", None, "rest day already"),
        ("short on time", None, "How many minutes"),
    ],
)
def test_adapt_today_is_called_only_when_it_would_change_the_day(
    text: str, tool_input: dict[str, Any] | None, words: str
) -> None:
    events = respond(text, CONTEXT)
    call = call_of(events)
    assert (call.input if call else None) == tool_input
    assert words in text_of(events)


def test_move_onto_a_rest_day_is_a_move_with_the_reason() -> None:
    events = respond("move my long run to Sunday", CONTEXT)
    call = call_of(events)
    assert call is not None and call.name == "propose_plan_changes"
    proposal = ProposeChanges.model_validate(call.input)
    assert proposal.edits == [Move(wid=6, to=on(13))]
    assert "Saturday 12 December" in proposal.reason and "Sunday 13 December" in proposal.reason
    assert "the rest day takes Saturday 12 December" in text_of(events)


def test_move_onto_a_workout_is_proposed_as_a_swap() -> None:
    events = respond("move my long run to Thursday", CONTEXT)
    call = call_of(events)
    assert call is not None
    assert ProposeChanges.model_validate(call.input).edits == [Swap(wid=6, other_wid=4)]
    assert "swap the two days" in text_of(events)


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("swap tuesday and thursday", Swap(wid=2, other_wid=4)),
        ("swap my long run with Saturday's easy run", Swap(wid=6, other_wid=13)),
        ("swap my long run with Friday", Swap(wid=6, other_wid=5)),  # Friday is a rest day
        ("can I skip today?", Rest(wid=1)),
        ("can I do an easy run instead?", Change(wid=1, type=T.EASY, minutes=45)),
        ("can I do Saturday's long run on Sunday instead", Move(wid=6, to=on(13))),
    ],
)
def test_plan_changes_propose_the_edit(text: str, edit: Move | Swap | Rest | Change) -> None:
    call = call_of(respond(text, CONTEXT))
    assert call is not None and call.name == "propose_plan_changes"
    assert ProposeChanges.model_validate(call.input).edits == [edit]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("move it", "Which day should **Tempo 25**"),
        ("swap my long run", "Which day should **Long run 18 km** (long run, 110 min) swap with?"),
        ("move the tempo to yesterday", "is past"),
        ("move my long run to Saturday", "already on Saturday 12 December"),
        ("move the race to Saturday", "The race stays on race day"),
        ("move my long run to the 20th", "race day"),
        ("swap tuesday with tomorrow", "same day twice"),
        ("make tomorrow easier", "easy already"),
        ("can I skip Friday?", "rest day already"),
    ],
)
def test_changes_that_cannot_be_made_are_answered_in_words(text: str, words: str) -> None:
    events = respond(text, CONTEXT)
    assert call_of(events) is None
    assert words in text_of(events)


@pytest.mark.parametrize(
    "text",
    [
        "move my fartlek to Sunday",
        "swap my progression run and the tempo",
        "what's on the 25th?",
        "my calves are sore, what about Saturday's hills?",
    ],
)
def test_an_unknown_day_lists_the_days_the_coach_can_see(text: str) -> None:
    events = respond(text, CONTEXT)
    said = text_of(events)
    assert call_of(events) is None
    assert "I can't find" in said and "These are the days I can see" in said
    assert "- Saturday 12 December: **Long run 18 km** (long run, 110 min)" in said
    assert "- Friday 11 December: a rest day" in said


@pytest.mark.parametrize(
    "text",
    [
        "my calves are sore",
        "I only have 30 minutes",
        "move my long run to Sunday",
        "swap tuesday and thursday",
        "can I skip today?",
        "can I do an easy run instead?",
        "what's tomorrow's workout about?",
        "hello",
    ],
)
def test_without_a_plan_the_coach_says_how_to_make_one(text: str) -> None:
    events = respond(text, NO_PLAN)
    assert call_of(events) is None
    assert "**Plan** page" in text_of(events)


def test_without_a_plan_a_kind_of_session_is_still_explained() -> None:
    said = text_of(respond("what is a tempo run?", NO_PLAN))
    assert "lactate threshold" in said and "**Plan** page" in said


def test_how_am_i_doing_quotes_the_apps_figures_and_nothing_else() -> None:
    said = text_of(respond("how am I doing?", CONTEXT))
    assert "- **This week:** 18 of 40 km done, 2 of 5 runs." in said
    for line in PROGRESS:
        assert f"- {line}" in said
    assert "- **Readiness:** Leg soreness is 0.0 of 10: ready to go." in said
    assert "Next up: **Tempo 25** (tempo run, 45 min) today" in said


def test_how_am_i_doing_without_figures_says_so() -> None:
    bare = CONTEXT.model_copy(update={"week": None, "progress": (), "readiness": None})
    assert "don't have any figures" in text_of(respond("how am I doing?", bare))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "what's tomorrow's workout about?",
            ["**Easy 40**, tomorrow (Tuesday 8 December)", "40 minutes", "aerobic base"],
        ),
        ("why do I run intervals?", ["**6 x 800 m**", "55 minutes (9.2 km), a hard day", "VO2max"]),
        ("what's Saturday's long run for?", ["110 minutes", "warm up 10 min", "endurance"]),
        ("what is fartlek?", ["**Fartlek**", "speed play", "There's no fartlek in the next two weeks"]),
        ("what's on Friday?", ["Friday 11 December is a rest day", "training turns into fitness"]),
        ("what should I do today?", ["**Tempo 25**, today (Monday 7 December)", "lactate threshold"]),
    ],
)
def test_explain_a_workout_from_its_day_and_what_its_kind_is_for(text: str, words: list[str]) -> None:
    said = text_of(respond(text, CONTEXT))
    for word in words:
        assert word in said


def test_help_and_greeting_say_what_the_coach_can_do() -> None:
    assert '"move my long run to Sunday"' in text_of(respond("what can you do?", CONTEXT))
    assert "Hi Ana! Today is **Tempo 25**" in text_of(respond("hi", CONTEXT))


@pytest.mark.parametrize("text", [p[0] for p in PHRASINGS])
def test_every_tool_input_validates_and_every_reply_is_deterministic(text: str) -> None:
    first, second = respond(text, CONTEXT), respond(text, CONTEXT)
    assert first == second
    assert text_of(first).strip()
    call = call_of(first)
    if call is not None:
        TOOL_INPUTS[call.name].model_validate(call.input)


#: Words the coach reads, mixed at random: every path through the readers, in any order.
WORDS = (
    "move swap skip rest day off instead of to from after the a an my Saturday's sun next last "
    "today tomorrow yesterday the 14th 2026-12-13 14 dec long run tempo intervals hills race easy "
    "recovery sore very a bit not pain knee calves tired exhausted slept badly only 30 minutes half an "
    "hour back earlier later what why how am I doing hi thanks help , ? !"
)
VOCABULARY = tuple(WORDS.split())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(st.sampled_from(VOCABULARY), max_size=14).map(" ".join)))
def test_any_message_gets_a_deterministic_reply_whose_tool_input_validates(text: str) -> None:
    for context in (CONTEXT, NO_PLAN):
        events = respond(text, context)
        assert events == respond(text, context)
        assert text_of(events).strip()
        call = call_of(events)
        if call is not None:
            TOOL_INPUTS[call.name].model_validate(call.input)
            assert context.plan_id is not None


# --------------------------------------------------------------------------- the conversation


def exchange(*texts: str) -> list[dict[str, Any]]:
    """The runner's messages, each but the last answered by the coach as it would answer it."""
    messages: list[dict[str, Any]] = []
    for text in texts[:-1]:
        messages.append({"role": "user", "content": text})
        messages.append({"role": "assistant", "content": text_of(reply(messages, CONTEXT)).strip()})
    return [*messages, {"role": "user", "content": texts[-1]}]


@pytest.mark.parametrize(
    ("texts", "edit"),
    [
        (("move my long run", "Sunday"), Move(wid=6, to=on(13))),
        (("move my long run", "to the 14th please"), Swap(wid=6, other_wid=8)),
        (("swap my long run", "Saturday's easy run"), Swap(wid=6, other_wid=13)),
        (("what's Saturday's long run about?", "can I move it to Sunday?"), Move(wid=6, to=on(13))),
        (("what's on Wednesday?", "swap it with Thursday"), Swap(wid=3, other_wid=4)),
        (("what's on Wednesday?", "push that back a day"), Swap(wid=3, other_wid=4)),
        (("how long is Saturday's long run?", "can I skip it?"), Rest(wid=6)),
    ],
)
def test_an_answer_to_the_coachs_question_or_an_it_is_read_with_the_message_before(
    texts: tuple[str, ...], edit: Move | Swap | Rest
) -> None:
    call = call_of(reply(exchange(*texts), CONTEXT))
    assert call is not None
    assert ProposeChanges.model_validate(call.input).edits == [edit]


def test_an_answer_with_minutes_fits_the_day_the_runner_was_short_of_time_for() -> None:
    call = call_of(reply(exchange("short on time tomorrow", "40 minutes"), CONTEXT))
    assert call is None  # Tuesday's easy run is 40 minutes: it fits
    call = call_of(reply(exchange("short on time tomorrow", "25 minutes"), CONTEXT))
    assert call is not None and call.input == {"wid": 2, "minutes_available": 25}


@pytest.mark.parametrize(
    ("texts", "intent"),
    [
        (("move my long run", "how am I doing?"), Intent.HOW_AM_I_DOING),
        (("move my long run to Sunday", "Monday"), Intent.EXPLAIN_WORKOUT),  # no question was open
        (("what's Saturday's long run about?", "I'm sore"), Intent.SORE_OR_TIRED),
    ],
)
def test_a_new_request_is_read_on_its_own(texts: tuple[str, ...], intent: Intent) -> None:
    assert read(exchange(*texts), CONTEXT).intent is intent


def test_it_without_an_earlier_day_is_today() -> None:
    assert read(exchange("I'm sore", "can I skip it?"), CONTEXT).day == DAYS[0]


# --------------------------------------------------------------------------- after a tool result


def conversation(*results: dict[str, Any], text: str = "move my long run to Sunday") -> list[dict[str, Any]]:
    """The runner's message, then for each result: the coach's tool call and that result, driven
    as the chat service drives it."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": text}]
    for result in results:
        events = reply(messages, CONTEXT)
        call = call_of(events)
        assert call is not None
        content: list[dict[str, Any]] = [{"type": "text", "text": text_of(events)}]
        content.append({"type": "tool_use", "id": call.id, "name": call.name, "input": call.input})
        messages.append({"role": "assistant", "content": content})
        block = {"type": "tool_result", "tool_use_id": call.id, "content": json.dumps(result)}
        messages.append({"role": "user", "content": [{**block, "is_error": not result.get("ok")}]})
    return messages


ACCEPTED = {"ok": True, "proposal_id": 12, "summary": "Long run moves from Sat 12 Dec to Sun 13 Dec"}
BROKEN = {
    "ok": False,
    "violations": ["Sunday 13 December: the long run the day after a hard day leaves no time to recover."],
    "alternative": {"op": "move", "wid": 6, "to": "2026-12-14"},
    "message": "Moving it to Monday 14 December keeps the rules.",
}


def test_an_accepted_proposal_is_pointed_at() -> None:
    events = reply(conversation(ACCEPTED), CONTEXT)
    assert call_of(events) is None
    assert text_of(events) == (
        "Long run moves from Sat 12 Dec to Sun 13 Dec. I've put it below: press **Apply** to make it "
        "part of your plan, or **Discard**."
    )


def test_a_violation_with_an_alternative_is_repaired_once_with_the_same_reason() -> None:
    messages = conversation(BROKEN)
    first = messages[1]["content"][1]["input"]
    events = reply(messages, CONTEXT)
    call = call_of(events)
    assert call is not None and call.id == "rules-2" and call.name == "propose_plan_changes"
    proposal = ProposeChanges.model_validate(call.input)
    assert proposal.edits == [Move(wid=6, to=on(14))]
    assert proposal.reason == first["reason"]
    said = text_of(events)
    assert "no time to recover." in said and "The nearest day that works is Monday 14 December" in said


def test_the_repaired_proposal_accepted_is_pointed_at() -> None:
    events = reply(conversation(BROKEN, ACCEPTED), CONTEXT)
    assert call_of(events) is None and "press **Apply**" in text_of(events)


def test_a_second_violation_is_explained_and_nothing_changes() -> None:
    events = reply(conversation(BROKEN, BROKEN), CONTEXT)
    assert call_of(events) is None
    said = text_of(events)
    assert "nothing has changed" in said and "- Sunday 13 December: the long run" in said


def test_a_violation_without_an_alternative_is_explained() -> None:
    events = reply(conversation({**BROKEN, "alternative": None}), CONTEXT)
    assert call_of(events) is None
    assert "would break the rules of your plan, so nothing has changed" in text_of(events)


def test_adapt_today_is_not_repaired() -> None:
    events = reply(conversation(BROKEN, text="my calves are sore"), CONTEXT)
    assert call_of(events) is None and "nothing has changed" in text_of(events)


def test_invalid_input_gets_an_apology() -> None:
    events = reply(conversation({"ok": False, "error": "Workout 6 is not in this plan"}), CONTEXT)
    assert call_of(events) is None
    assert text_of(events) == (
        "Sorry, I got that change wrong: Workout 6 is not in this plan. Nothing in your plan has changed."
    )


def test_a_result_that_is_not_json_is_an_error_not_a_crash() -> None:
    messages = conversation(ACCEPTED)
    messages[-1]["content"][0]["content"] = [{"type": "text", "text": "the service fell over"}]
    assert "the service fell over." in text_of(reply(messages, CONTEXT))


def test_a_tool_the_service_did_not_offer_is_not_called() -> None:
    events = reply(
        [{"role": "user", "content": "move my long run to Sunday"}], CONTEXT, tools={"adapt_today"}
    )
    assert call_of(events) is None
    assert text_of(events).endswith("I can't propose changes to your plan just now, so nothing has changed.")


def test_the_runners_text_may_come_as_content_blocks() -> None:
    blocks = [{"type": "text", "text": "move my long run"}, {"type": "text", "text": "to Sunday"}]
    call = call_of(reply([{"role": "user", "content": blocks}], CONTEXT))
    assert call is not None and call.input["edits"] == [{"wid": 6, "op": "move", "to": "2026-12-13"}]


def test_a_kept_day_is_said_so_without_pointing_at_a_card_and_a_sore_runner_may_skip() -> None:
    asked = {"wid": 1, "soreness": 7}
    messages = [
        {"role": "user", "content": "my calves are really sore"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "rules-1", "name": "adapt_today", "input": asked}],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "rules-1",
                    "content": json.dumps({"ok": True, "kept": True, "message": "The day stays as planned."}),
                }
            ],
        },
    ]
    (said,) = reply(messages, CONTEXT)
    assert isinstance(said, TextDelta)
    assert (
        "Apply" not in said.text
        and "nothing to apply" in said.text
        and "skipping the run is always fine" in said.text
    )


# --------------------------------------------------------------------------- travel


@pytest.mark.parametrize(
    ("text", "away"),
    [
        ("I'm travelling Thursday to Sunday and won't have a treadmill.", [10, 11, 12, 13]),
        ("I'm traveling from Thu until Sat", [10, 11, 12]),
        ("Away Thu-Sun, I'm at a conference", [10, 11, 12, 13]),
        ("I'm away this weekend, no treadmill on Saturday or Sunday.", [12, 13]),
        ("I'll be away at the weekend", [12, 13]),
        ("Can't run Saturday, I'm on a flight all day Saturday.", [12]),
        ("flying to Lisbon on Wednesday", [9]),
        ("I'm on holiday next Tuesday and Wednesday", [8, 9]),
        ("business trip on the 10th", [10]),
        ("I'm travelling", []),
    ],
)
def test_travel_reads_the_days_away(text: str, away: list[int]) -> None:
    rec = recognise(text, CONTEXT)
    assert rec.intent is Intent.TRAVEL
    assert rec.away == tuple(on(d) for d in away)


@pytest.mark.parametrize(
    "text",
    [
        "I travelled to my parents' last week, legs are fine",
        "the flight yesterday wiped me out",
        "I ran away from a dog",
        "tell me about my trip to the track last Saturday",
        "move my long run to Sunday, I'm travelling Saturday",
    ],
)
def test_past_trips_and_other_requests_are_not_travel(text: str) -> None:
    rec = recognise(text, CONTEXT)
    assert rec.intent is not Intent.TRAVEL
    assert not any(isinstance(e, Rest) for e in _edits(respond(text, CONTEXT)))


def _edits(events: list[TextDelta | ToolCall]) -> list[Any]:
    call = call_of(events)
    if call is None or call.name != "propose_plan_changes":
        return []
    return list(ProposeChanges.model_validate(call.input).edits)


def test_travel_rests_every_planned_run_in_the_span_and_says_which() -> None:
    events = respond("I'm travelling Thursday to Sunday", CONTEXT)
    assert _edits(events) == [Rest(wid=4), Rest(wid=6)]
    text = text_of(events)
    assert "Thursday 10 December" in text and "Sunday 13 December" in text
    assert "**Recovery 30**" in text and "**Long run 18 km**" in text
    assert "Apply" not in text  # the card is pointed at once the checker has passed it


def test_travel_leaves_the_race_and_says_so() -> None:
    events = respond("I'm away from the 19th to the 20th", CONTEXT)
    assert _edits(events) == [Rest(wid=13)]
    assert "race" in text_of(events).lower()


def test_travel_with_nothing_planned_proposes_nothing() -> None:
    events = respond("I'm away on Friday", CONTEXT)
    assert call_of(events) is None
    assert "nothing to change" in text_of(events)


def test_travel_without_days_asks_and_reads_the_answer_with_it() -> None:
    assert call_of(respond("I'm travelling next week", CONTEXT)) is None
    rec = read(exchange("I'm travelling", "Thursday to Saturday"), CONTEXT)
    assert (rec.intent, rec.away) == (Intent.TRAVEL, (on(10), on(11), on(12)))


def test_travel_without_a_plan_says_how_to_make_one() -> None:
    events = respond("I'm away this weekend", NO_PLAN)
    assert call_of(events) is None
    assert "Plan" in text_of(events)


def test_the_weekend_said_on_a_sunday_is_today() -> None:
    sunday = CONTEXT.model_copy(update={"today": on(13)})
    assert recognise("I'm away this weekend", sunday).away == (on(13),)
    assert recognise("I'm away next weekend", sunday).away == (on(19), on(20))


# --------------------------------------------------------------------------- goal and volume

GOAL = CONTEXT.model_copy(
    update={
        "goal": "10K on 2027-01-24 in 40:00",
        "feasibility": "unrealistic: 40:00 needs VDOT 52, yours is 38. To make it realistic: 48:30",
    }
)


@pytest.mark.parametrize(
    ("text", "intent", "new"),
    [
        ("Can I run a sub-3 marathon in 6 weeks?", Intent.GOAL, True),
        ("Is my goal realistic? Be honest.", Intent.GOAL, False),
        ("Is my goal achievable?", Intent.GOAL, False),
        ("could I get a PB at the half?", Intent.GOAL, True),
        ("Can we double my mileage next week to catch up?", Intent.VOLUME, False),
        ("can I increase my weekly km a lot?", Intent.VOLUME, False),
        ("I want to add more miles", Intent.VOLUME, False),
        ("what's the long run on Saturday?", Intent.EXPLAIN_WORKOUT, False),
        ("what does the tempo do for my goal?", Intent.EXPLAIN_WORKOUT, False),
        ("my mileage last week", Intent.HELP, False),
    ],
)
def test_goal_and_volume_phrasings(text: str, intent: Intent, new: bool) -> None:
    rec = recognise(text, GOAL)
    assert (rec.intent, rec.new_goal) == (intent, new)


def test_a_goal_question_quotes_the_apps_verdict_and_changes_nothing() -> None:
    events = respond("Is my goal realistic?", GOAL)
    assert call_of(events) is None
    text = text_of(events)
    assert "10K on 2027-01-24 in 40:00" in text and "Unrealistic: 40:00 needs VDOT 52" in text


def test_a_new_goal_is_judged_on_the_goals_page_without_made_up_numbers() -> None:
    events = respond("Can I run a sub-3 marathon in 6 weeks?", GOAL)
    text = text_of(events)
    assert call_of(events) is None
    assert "Goals" in text and "realistic" in text
    assert "VDOT 52" in text  # the app's figure, quoted
    figures = {n for n in re.findall(r"\d+", text)}
    assert figures <= set(re.findall(r"\d+", GOAL.goal or "") + re.findall(r"\d+", GOAL.feasibility or ""))


def test_without_a_goal_the_coach_says_where_to_set_one() -> None:
    text = text_of(respond("Is my goal realistic?", CONTEXT))
    assert "Goals" in text and "haven't set a goal" in text


def test_more_volume_explains_the_weekly_rise_rule_with_this_weeks_figures() -> None:
    events = respond("Can I double my mileage next week?", CONTEXT)
    assert call_of(events) is None
    text = text_of(events)
    assert "10 %" in text and "18 of 40 km done" in text
