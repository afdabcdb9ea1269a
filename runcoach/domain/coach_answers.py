"""What the deterministic coach says to a recognised message, and which change it proposes
(`answer`): markdown text that names the day, the date, the minutes and why, then at most one tool
call, the same as Claude's (`adapt_today`, `propose_plan_changes`).

Pure: standard library, pydantic and `runcoach.domain` only. Every tool input is built from the
tool's own model (`AdaptToday`, `ProposeChanges`), so it always validates.

Decisions, in one place:

- Sore, tired or short of time goes through `adapt_today` with the check-in values read from the
  words. What Adapt today will do is foreseen with `readiness` (same bands, same order of tries)
  so the words match the proposal; when it would keep the day as planned the coach says so and
  calls no tool: a proposal that changes nothing is noise.
- A move onto a workout is proposed as a swap (the rule checker refuses a move onto a workout and
  says to swap); onto a rest day it is a move, and the rest day takes the date the workout left.
  A swap with a date that has nothing planned is a move there.
- The race, a past day, a day the plan does not have: refused in words before any tool is called,
  with the days the coach can see when it cannot find the one named.
- Figures ("how am I doing") are the app's lines from the context as they are, never computed or
  rounded here.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, assert_never

from pydantic import BaseModel

from runcoach.domain.coach import AdaptToday, CoachContext, ContextDay, ProposeChanges, TextDelta, ToolCall
from runcoach.domain.coach_intents import DayRef, Intent, Recognised
from runcoach.domain.coach_words import NOUNS, article
from runcoach.domain.plan_edits import MIN_CHANGE_MINUTES, Change, Edit, Move, Rest, Swap
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.readiness import MIN_RUN_MINUTES, Action, Band, Checkin, readiness
from runcoach.domain.rules import MAX_WEEKLY_RISE, weekday_date

#: What the coach says or calls in one turn (the backend adds the `TurnEnd`).
ReplyEvent = TextDelta | ToolCall

ADAPT_TODAY = "adapt_today"
PROPOSE = "propose_plan_changes"
TOOL_ID_PREFIX = "rules-"
#: Longest reason a proposal carries (`ProposeChanges.reason`).
MAX_REASON_CHARS = 500

T = WorkoutType


# --------------------------------------------------------------------------- words for the replies

#: What each kind of session is for, one sentence each (used when explaining a workout).
PURPOSE: Final = {
    T.EASY: "Easy running builds your aerobic base (more capillaries, more mitochondria) at an effort "
    "you could chat at, and lets you recover between the hard days.",
    T.LONG: "The long run builds endurance: it teaches your body to keep going, to burn fat well and "
    "to handle time on your feet.",
    T.RECOVERY: "A recovery run is very easy on purpose: it keeps the legs moving and speeds recovery "
    "without adding stress.",
    T.TEMPO: "Tempo running at a comfortably hard effort raises your lactate threshold, the pace you "
    "can hold for about an hour.",
    T.INTERVALS: "Intervals are hard repeats with recoveries between them: they push your VO2max, the "
    "ceiling of your aerobic engine, and make race pace feel easier.",
    T.HILLS: "Hill repeats build strength and power with less pounding than speed on the flat; on the "
    "treadmill the incline does the work.",
    T.FARTLEK: "Fartlek (speed play) mixes faster and easier stretches, building speed and the knack "
    "of changing pace without the strictness of intervals.",
    T.PROGRESSION: "A progression run starts easy and finishes faster, teaching you to run strong on "
    "tired legs.",
    T.RACE: "Race day: everything in the plan builds to this. Trust the taper and start steady.",
    T.REST: "Rest is when training turns into fitness: the body repairs and adapts on the days off.",
}
NO_PLAN = (
    "You don't have an active plan yet, so there's no workout for me to change. Make one on the "
    "**Plan** page: choose your goal and RunCoach lays out the weeks. Then I can adapt, move and swap "
    "its days."
)
CHECKING = "I'll check it against your plan's rules."
APPLY = "I've put it below: press **Apply** to make it part of your plan, or **Discard**."
PAIN_NOTE = (
    "If the pain is sharp, changes your stride or lasts more than a few days, see a physio before "
    "running on it."
)
HELP = """I'm the built-in coach: I understand a few kinds of request and turn them into changes you \
can apply to your plan.

- **How you feel**: "my calves are sore", "I'm exhausted", "I slept badly": I adapt today's workout.
- **Time**: "I only have 30 minutes today": I fit today's workout into it.
- **Move**: "move my long run to Sunday", "can I do Saturday's long run on Sunday instead?"
- **Swap**: "swap Tuesday and Thursday", "swap my long run with Saturday's easy run"
- **Rest or go easier**: "can I skip today?", "can I do an easy run instead?"
- **Explain**: "what's tomorrow's workout about?", "why do I run intervals?"
- **Progress**: "how am I doing?"

For anything else, an administrator can switch on the AI coach (Claude) with an Anthropic API key."""


def _when(on: date, today: date) -> str:
    """ "today (Saturday 12 December)", "tomorrow (...)", or the date."""
    if on == today:
        return f"today ({weekday_date(on)})"
    if on == today + timedelta(days=1):
        return f"tomorrow ({weekday_date(on)})"
    return weekday_date(on)


def _capital(text: str) -> str:
    """The first letter upper case, the rest as it is (unlike `str.capitalize`)."""
    return text[:1].upper() + text[1:]


def _session(day: ContextDay) -> str:
    """ "**Tempo 40** (tempo run, 45 min)"."""
    if day.type is T.REST:
        return "a rest day"
    return f"**{day.title}** ({NOUNS[day.type]}, {day.minutes} min)"


def _days_list(context: CoachContext) -> str:
    if not context.days:
        return "Your plan has no days in the next two weeks."
    lines = [f"- {weekday_date(d.date)}: {_session(d)}" for d in sorted(context.days, key=lambda d: d.date)]
    return "These are the days I can see:\n\n" + "\n".join(lines)


def _not_found(ref: DayRef, context: CoachContext) -> str:
    return (
        f"I can't find {ref.words(context.today)} in the next two weeks of your plan. "
        f"{_days_list(context)}\n\nTell me which one you mean."
    )


def _next_workout(context: CoachContext) -> ContextDay | None:
    runs = [d for d in context.days if d.date >= context.today and d.type is not T.REST]
    return min(runs, key=lambda d: (d.date, d.wid), default=None)


def _levels(rec: Recognised) -> str:
    """ "soreness 5 of 10 and fatigue 4 of 5": the check-in values the coach read."""
    parts = [
        f"{name} {value} of {scale}"
        for name, value, scale in (
            ("soreness", rec.soreness, 10),
            ("fatigue", rec.fatigue, 5),
            ("sleep", rec.sleep, 5),
        )
        if value is not None
    ]
    return " and ".join(parts)


def say(text: str) -> list[ReplyEvent]:
    """Text only: nothing to change, or a question back."""
    return [TextDelta(text=text)]


def propose(text: str, call: ToolCall) -> list[ReplyEvent]:
    """Text, then the tool call; the blank line separates it from what follows the tool's result."""
    return [TextDelta(text=f"{text}\n\n"), call]


def _checked(text: str, call: ToolCall) -> list[ReplyEvent]:
    """A first proposal: the service checks it against the rules before the runner sees it."""
    return propose(f"{text} {CHECKING}", call)


def _call(tool_id: str, name: str, payload: BaseModel) -> ToolCall:
    return ToolCall(id=tool_id, name=name, input=payload.model_dump(mode="json", exclude_none=True))


def changes(tool_id: str, reason: str, *edits: Edit) -> ToolCall:
    """A `propose_plan_changes` call with these edits and why."""
    return _call(tool_id, PROPOSE, ProposeChanges(reason=reason[:MAX_REASON_CHARS], edits=list(edits)))


# --------------------------------------------------------------------------- answers


def answer(
    rec: Recognised, context: CoachContext, *, tool_id: str = f"{TOOL_ID_PREFIX}1"
) -> list[ReplyEvent]:
    """What the coach says to a recognised message: text, and a tool call when a change fits."""
    match rec.intent:
        case Intent.SORE_OR_TIRED | Intent.SHORT_ON_TIME:
            return _adapt(rec, context, tool_id)
        case Intent.MOVE:
            return _move(rec, context, tool_id)
        case Intent.SWAP:
            return _swap(rec, context, tool_id)
        case Intent.SKIP:
            return _skip(rec, context, tool_id)
        case Intent.MAKE_EASIER:
            return _easier(rec, context, tool_id)
        case Intent.TRAVEL:
            return _travel(rec, context, tool_id)
        case Intent.GOAL:
            return say(_goal(rec, context))
        case Intent.VOLUME:
            return say(_volume(context))
        case Intent.HOW_AM_I_DOING:
            return say(_progress(context))
        case Intent.EXPLAIN_WORKOUT:
            return say(_explain(rec, context))
        case Intent.GREETING:
            return say(_greeting(context))
        case Intent.THANKS:
            return say("You're welcome! Enjoy the run, and tell me how it went.")
        case Intent.HELP:
            return say(HELP)
        case _:
            assert_never(rec.intent)


def _blocked(rec: Recognised, context: CoachContext, what: str) -> str | None:
    """Why the named day cannot be changed at all, or None: no plan, no such day, race day."""
    if context.plan_id is None:
        return NO_PLAN
    if rec.day is None:
        return _not_found(rec.asked, context)
    if rec.day.type is T.RACE:
        return f"The race stays on race day ({weekday_date(rec.day.date)}): I can't {what} it."
    return None


# --------------------------------------------------------------------------- sore, tired, short of time


def _adapt(rec: Recognised, context: CoachContext, tool_id: str) -> list[ReplyEvent]:
    opener = _opener(rec)
    if rec.intent is Intent.SHORT_ON_TIME and rec.minutes is None:
        return say(f'{opener}How many minutes do you have? Say, for example, "I only have 30 minutes".')
    problem = _blocked(rec, context, "adapt")
    if problem is not None:
        return say(opener + problem)
    assert rec.day is not None
    if rec.day.type is T.REST:
        return say(opener + _resting(rec.day, context))
    action = expected_action(rec, rec.day, context.today)
    text = opener + _plan_words(action, rec, rec.day, context.today)
    text += f" {PAIN_NOTE}" if rec.pain else ""
    if action is Action.KEEP:
        return say(text)
    return _checked(text, _adapt_call(rec, rec.day, tool_id))


def _opener(rec: Recognised) -> str:
    """One sentence of sympathy that names what the runner said ("Sore calves after ... are common.")."""
    after = f" after {rec.cause}" if rec.cause else ""
    if rec.pain:
        where = f" in your {rec.part}" if rec.part else ""
        return f"Pain{where}{after} is worth taking seriously. "
    if rec.soreness is not None and rec.part:
        return (
            f"Sore {rec.part}{after} are common. " if rec.plural else f"A sore {rec.part}{after} is common. "
        )
    if rec.soreness is not None:
        return f"Some soreness{after} is normal in training. "
    if rec.fatigue is not None:
        return f"Feeling tired{after} is your body asking for recovery. "
    if rec.sleep is not None:
        return "A bad night's sleep makes a hard session cost more than it gives. "
    return ""


def expected_action(rec: Recognised, day: ContextDay, today: date) -> Action:
    """What Adapt today will do with these values, foreseen with the same readiness bands and
    order of tries (`readiness._candidates`), so the coach's words match the proposal."""
    checkin = Checkin(day=today, soreness=rec.soreness, fatigue=rec.fatigue, sleep=rec.sleep)
    band = readiness([checkin], today).band
    available = rec.minutes if rec.minutes is not None else day.minutes
    if available < MIN_RUN_MINUTES or band is Band.REST:
        return Action.REST
    if band is Band.EASY and day.hard:
        return Action.EASY
    return Action.SHORTEN if available < day.minutes else Action.KEEP


def _plan_words(action: Action, rec: Recognised, day: ContextDay, today: date) -> str:
    when, what = _when(day.date, today), _session(day)
    read = f" (I read that as {_levels(rec)}.)" if _levels(rec) else ""
    match action:
        case Action.REST if rec.minutes is not None and rec.minutes < MIN_RUN_MINUTES:
            return (
                f"{rec.minutes} minutes is too little for a run worth its warm-up, so I'd rest {when} "
                f"instead of {what}."
            )
        case Action.REST:
            return f"I'd rest {when} instead of {what}: recovery is when training sinks in.{read}"
        case Action.EASY:
            minutes = min(day.minutes, rec.minutes or day.minutes)
            return (
                f"I'd make {when} easier: {what} is a hard session, so I'm asking for an easy run of "
                f"{minutes} minutes instead (or a shorter session, if your plan's rules need it).{read}"
            )
        case Action.SHORTEN:
            return (
                f"You have {rec.minutes} minutes and {what} {when} takes {day.minutes}: I'm asking to "
                f"shorten it to {rec.minutes}, keeping the warm-up and cool-down and scaling the main part."
                f"{read}"
            )
        case Action.KEEP:
            return _keep_words(rec, day, when, what)
        case _:
            assert_never(action)


def _keep_words(rec: Recognised, day: ContextDay, when: str, what: str) -> str:
    if rec.minutes is not None and not rec.soreness and not rec.fatigue and not rec.sleep:
        return f"{what} {when} fits in your {rec.minutes} minutes, so there's nothing to change."
    if day.hard:
        return f"{what} {when} can stay as planned: warm up well and back off if it feels wrong."
    return f"{what} {when} is gentle already: run it at a chatty effort and stop if anything gets worse."


def _resting(day: ContextDay, context: CoachContext) -> str:
    upcoming = _next_workout(context)
    then = (
        f" If you still feel it before {_session(upcoming)}, tell me and I'll adapt that." if upcoming else ""
    )
    return f"Good timing: {_when(day.date, context.today)} is a rest day already, so recover well.{then}"


def _adapt_call(rec: Recognised, day: ContextDay, tool_id: str) -> ToolCall:
    values = AdaptToday(
        wid=day.wid,
        minutes_available=rec.minutes,
        soreness=rec.soreness,
        fatigue=rec.fatigue,
        sleep=rec.sleep,
    )
    return _call(tool_id, ADAPT_TODAY, values)


# --------------------------------------------------------------------------- move, swap, skip, easier


def _move(rec: Recognised, context: CoachContext, tool_id: str) -> list[ReplyEvent]:
    problem = _blocked(rec, context, "move") or _bad_target(rec, context.today)
    if problem is not None:
        return say(problem)
    day, to = rec.day, rec.to
    assert day is not None and to is not None
    there = next((d for d in context.days if d.date == to and d.wid != day.wid), None)
    if there is not None and there.type is not T.REST:
        return _swap_instead(day, there, context, tool_id)
    rest = f", and the rest day takes {weekday_date(day.date)}" if there is not None else ""
    from_, to_ = _when(day.date, context.today), _when(to, context.today)
    text = f"Sure: {_session(day)} moves from {from_} to {to_}{rest}."
    reason = f"You asked to run {day.title} on {weekday_date(to)} instead of {weekday_date(day.date)}."
    return _checked(text, changes(tool_id, reason, Move(wid=day.wid, to=to)))


def _bad_target(rec: Recognised, today: date) -> str | None:
    """Why the move has nowhere to go: no day named, a past day, the day it is on."""
    assert rec.day is not None
    if rec.to is None:
        return (
            f"Which day should {_session(rec.day)} on {weekday_date(rec.day.date)} move to? "
            'Say, for example, "move it to Sunday".'
        )
    if rec.to < today:
        return f"{weekday_date(rec.to)} is past: a workout can only move to today or later."
    if rec.to == rec.day.date:
        return f"{_session(rec.day)} is already on {weekday_date(rec.to)}."
    return None


def _swap_instead(
    day: ContextDay, there: ContextDay, context: CoachContext, tool_id: str
) -> list[ReplyEvent]:
    if there.type is T.RACE:
        return say(f"{weekday_date(there.date)} is race day, so nothing can move onto it.")
    text = (
        f"{weekday_date(there.date)} already has {_session(there)}, so I'd swap the two days rather than "
        f"stack them: {day.title} on {weekday_date(there.date)}, {there.title} on {weekday_date(day.date)}."
    )
    reason = (
        f"You asked to run {day.title} on {weekday_date(there.date)}, which had {there.title}: the two swap."
    )
    return _checked(
        text,
        changes(tool_id, reason, Swap(wid=day.wid, other_wid=there.wid)),
    )


def _swap(rec: Recognised, context: CoachContext, tool_id: str) -> list[ReplyEvent]:
    problem = _blocked(rec, context, "swap") or _bad_pair(rec)
    if problem is not None:
        return say(problem)
    assert rec.day is not None
    if rec.other is None:
        return _swap_with_free_day(rec, context, tool_id)
    first, second = sorted((rec.day, rec.other), key=lambda d: (d.date, d.wid))
    text = (
        f"Swapping {_session(first)} on {weekday_date(first.date)} with {_session(second)} on "
        f"{weekday_date(second.date)}: each takes the other's date."
    )
    reason = (
        f"You asked to swap {first.title} ({weekday_date(first.date)}) and {second.title} "
        f"({weekday_date(second.date)})."
    )
    return _checked(text, changes(tool_id, reason, Swap(wid=rec.day.wid, other_wid=rec.other.wid)))


def _bad_pair(rec: Recognised) -> str | None:
    """Why the swap cannot be made: no second day named, the same day twice, race day."""
    assert rec.day is not None
    if rec.other_asked is None:
        return (
            f'Which day should {_session(rec.day)} swap with? Say, for example, "swap Tuesday and Thursday".'
        )
    if rec.other is not None and rec.other.wid == rec.day.wid:
        return f"That's the same day twice: {_session(rec.day)} on {weekday_date(rec.day.date)}."
    if rec.other is not None and rec.other.type is T.RACE:
        return f"The race stays on race day ({weekday_date(rec.other.date)}): I can't swap it."
    return None


def _swap_with_free_day(rec: Recognised, context: CoachContext, tool_id: str) -> list[ReplyEvent]:
    """A swap with a date that has nothing planned is a move there."""
    other = rec.other_asked
    assert other is not None
    if other.on is None or other.type is not None or other.on < context.today:
        return say(_not_found(other, context))
    return _move(rec.model_copy(update={"intent": Intent.MOVE, "to": other.on}), context, tool_id)


def _skip(rec: Recognised, context: CoachContext, tool_id: str) -> list[ReplyEvent]:
    problem = _blocked(rec, context, "rest")
    if problem is not None:
        return say(problem)
    day = rec.day
    assert day is not None
    if day.type is T.REST:
        return say(f"{_capital(_when(day.date, context.today))} is a rest day already: enjoy it.")
    why = " and rest is the right call when your body asks for it" if _levels(rec) else ""
    text = (
        f"OK: {_when(day.date, context.today)} can be a rest day instead of {_session(day)}. "
        f"One missed session costs no fitness{why}."
    )
    reason = f"You asked to rest on {weekday_date(day.date)} instead of running {day.title}."
    return _checked(text, changes(tool_id, reason, Rest(wid=day.wid)))


def _easier(rec: Recognised, context: CoachContext, tool_id: str) -> list[ReplyEvent]:
    problem = _blocked(rec, context, "change")
    if problem is not None:
        return say(problem)
    day = rec.day
    assert day is not None
    when = _when(day.date, context.today)
    if day.type is T.REST:
        return say(f"{_capital(when)} is a rest day already: nothing is easier than that.")
    if not day.hard:
        return say(
            f"{_session(day)} {when} is easy already: run it at a chatty effort and it will do its job."
        )
    minutes = max(day.minutes, MIN_CHANGE_MINUTES)
    text = (
        f"{_session(day)} {when} becomes an easy run of {minutes} minutes: the same time on your feet, "
        "far less strain."
    )
    reason = f"You asked for an easier {weekday_date(day.date)} than {day.title}."
    change = Change(wid=day.wid, type=T.EASY, minutes=minutes)
    return _checked(text, changes(tool_id, reason, change))


# --------------------------------------------------------------------------- travel

#: Most edits one proposal carries (`ProposeChanges.edits`).
MAX_EDITS = 10


def _travel(rec: Recognised, context: CoachContext, tool_id: str) -> list[ReplyEvent]:
    """Every planned run on the days away becomes a rest day, in one proposal (resting never
    breaks the plan's rules: an eased day still counts as planned for its week)."""
    if context.plan_id is None:
        return say(NO_PLAN)
    if not rec.away:
        return say(
            'Which days are you away? Say, for example, "I\'m travelling Thursday to Sunday" or "I\'m '
            "away this weekend\", and I'll rest the runs planned on them."
        )
    span = _span_words(rec.away)
    away = set(rec.away)
    planned = sorted(
        (d for d in context.days if d.date in away and d.type is not T.REST), key=lambda d: (d.date, d.wid)
    )
    race = next((d for d in planned if d.type is T.RACE), None)
    runs = [d for d in planned if d.type is not T.RACE][:MAX_EDITS]
    race_words = f" The race on {weekday_date(race.date)} stays: I can't rest it." if race else ""
    if not runs:
        return say(
            f"Nothing is planned {span} but rest, so there's nothing to change. Have a good trip!{race_words}"
        )
    lines = "\n".join(f"- {weekday_date(d.date)}: {_session(d)}" for d in runs)
    plural = "s" if len(runs) > 1 else ""
    text = (
        f"Have a good trip! While you're away {span} I'd rest the run{plural} planned then, so "
        f"{'they become rest days' if plural else 'it becomes a rest day'}:\n\n{lines}\n\n"
        f"A few days off cost no fitness; the plan picks up when you're back.{race_words}"
    )
    reason = f"You're away {span}: the run{plural} planned then become{'' if plural else 's'} rest."
    return _checked(text, changes(tool_id, reason, *(Rest(wid=d.wid) for d in runs)))


def _span_words(days: tuple[date, ...]) -> str:
    """ "on Saturday 14 March", "from Thursday 12 March to Sunday 15 March", "on A, B and C"."""
    if len(days) == 1:
        return f"on {weekday_date(days[0])}"
    if (days[-1] - days[0]).days == len(days) - 1:
        return f"from {weekday_date(days[0])} to {weekday_date(days[-1])}"
    named = [weekday_date(d) for d in days]
    return f"on {', '.join(named[:-1])} and {named[-1]}"


# --------------------------------------------------------------------------- goal, volume

GOAL_PRINCIPLE = (
    "The app judges a goal once it is set on the **Goals** page, from your current VDOT and the weeks "
    "until race day. The principle: a goal is realistic when the target is close to what your current "
    "VDOT predicts and there are enough weeks to build up to it; a big jump in a few weeks is too "
    "ambitious, and more weeks or a slower target make it realistic."
)


def _goal(rec: Recognised, context: CoachContext) -> str:
    """The app's own verdict on the runner's goal, quoted; never a number of the coach's own."""
    if context.goal is None:
        mine = (
            "You haven't set a goal yet: set one on the **Goals** page and the app will tell you whether "
            "it is realistic for you."
        )
    elif context.feasibility:
        mine = f"Your goal is **{context.goal}**. The app's assessment: {_capital(context.feasibility)}"
    else:
        mine = f"Your goal is **{context.goal}**; the app hasn't assessed whether it is realistic yet."
    if rec.new_goal:
        return f"I can't judge a new goal from a message. {GOAL_PRINCIPLE}\n\n{mine}"
    return mine if context.goal is None else f"{mine}\n\n{GOAL_PRINCIPLE}"


def _volume(context: CoachContext) -> str:
    """The plan's weekly rise rule, with this week's figures as the app gives them."""
    rise = f"{100 * MAX_WEEKLY_RISE:.0f} %"
    week = f"\n\nThis week: {context.week}" if context.week else ""
    return (
        f"Doubling your mileage in a week is too much: your plan's rule lets weekly volume rise by at most "
        f"{rise} on the week before, because tendons and bones adapt more slowly than heart and lungs, and "
        f"big jumps are how running injuries start. Missed kilometres are better let go than made up: "
        f"the plan builds back gradually.{week}"
    )


# --------------------------------------------------------------------------- progress, explain, hello


def _progress(context: CoachContext) -> str:
    """The app's own figures, as they are: the coach explains numbers and never makes them up."""
    lines = [f"- **This week:** {context.week}"] if context.week else []
    lines += [f"- {line}" for line in context.progress]
    lines += [f"- **Readiness:** {context.readiness}"] if context.readiness else []
    if not lines:
        return (
            "I don't have any figures for you yet. Once you've run a few sessions, the **Progress** page "
            "(and I) can tell you how it's going."
        )
    upcoming = _next_workout(context)
    then = f"\n\nNext up: {_session(upcoming)} {_when(upcoming.date, context.today)}." if upcoming else ""
    return f"Here's how it's going, {context.name}, from your numbers:\n\n" + "\n".join(lines) + then


def _explain(rec: Recognised, context: CoachContext) -> str:
    asked = rec.asked
    if rec.day is None and asked.type is not None and asked.on is None:
        return _explain_type(asked.type, context)
    if context.plan_id is None:
        return NO_PLAN
    if rec.day is None:
        return _not_found(asked, context)
    return _explain_day(rec.day, context)


def _explain_type(kind: WorkoutType, context: CoachContext) -> str:
    """A kind of session the plan does not hold in the next two weeks: what it is for."""
    noun = NOUNS[kind]
    missing = (
        f"There's no {noun} in the next two weeks of your plan." if context.plan_id is not None else NO_PLAN
    )
    return f"**{_capital(noun)}**: {PURPOSE[kind]}\n\n{missing}"


def _explain_day(day: ContextDay, context: CoachContext) -> str:
    when = _when(day.date, context.today)
    if day.type is T.REST:
        return f"{_capital(when)} is a rest day. {PURPOSE[T.REST]}"
    hard = ", a hard day" if day.hard else ""
    noun = NOUNS[day.type]
    head = (
        f"**{day.title}**, {when}: {article(noun)} {noun} of {day.minutes} minutes ({day.km:.1f} km){hard}."
    )
    body = f" {day.description.strip()}" if day.description.strip() else ""
    return f"{head}{body}\n\n**Why:** {PURPOSE[day.type]}"


def _greeting(context: CoachContext) -> str:
    hello = f"Hi {context.name}!"
    if context.plan_id is None:
        return f"{hello} {NO_PLAN}"
    today = next((d for d in context.days if d.date == context.today), None)
    plan = f" Today is {_session(today)}." if today is not None else ""
    return (
        f"{hello}{plan} Tell me how you feel or how much time you have, ask me to move or swap a day, "
        "or ask what a workout is for."
    )
