"""What a runner asks the deterministic coach: the intent of a message and its slots, with the
days it names resolved against the plan the coach sees (`recognise`).

Pure: standard library, pydantic and `runcoach.domain` only; `today` comes from the context. The
words are read by `coach_words`; this module decides what they mean together.

Decisions, in one place:

- Intents are tried in a fixed order, the first that fits wins: swap, move, travel, skip, sore or
  tired, more volume, goal, short on time, make easier, move (two days named: "can I run
  tomorrow's workout today"), how am I doing, help, explain, greeting, thanks, and help when
  nothing fits. An explicit request beats a feeling: "I'm sore, can I move my long run to
  Sunday?" is a move, and "I'm tired, should I skip today?" a rest day.
- Travel is a present or future travel word ("travelling", "flight", "I'm away", "on holiday")
  with days to come, or with no day at all; the days away are those named, every day of a range
  ("Thursday to Sunday", "Thu-Sun") and the weekend's Saturday and Sunday. A past trip ("I
  travelled last week", "the flight yesterday") is not travel, nor is a session asked for on
  another day ("I'm away on Saturday, can the long run be on Friday?" is a move).
- The planned day is today's unless the runner names one. A kind of session alone ("my long
  run") is the next day of that type on or after today; a day and a kind together ("Saturday's
  easy run") must both match. A day named after "after", "from" or "since" ("sore after Tuesday's
  intervals") is the cause, never the day to change; so is a past day when the runner says how
  they feel.
- A move's target is the day after "to" ("move it to Sunday"), else the day that is not after
  "instead of" when the runner says "instead", else the last of two days named; "back a day" and
  "a day earlier" count from the session's date. The session moved is the first kind and the
  first day named, together ("the long run on Sunday instead of Saturday" moves Saturday's).
- "An easy run" (an indefinite article) is a kind of session wanted, not a day of the plan:
  "can I do an easy run instead?" asks for an easier day, not a move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from runcoach.domain.coach import CoachContext, ContextDay
from runcoach.domain.coach_words import (
    CAUSE_NOUNS,
    NOUNS,
    Feelings,
    Span,
    Tokens,
    article,
    dates,
    feelings,
    has,
    minutes,
    session_types,
    tokens,
    weekend,
)
from runcoach.domain.plan_model import Weekday, WorkoutType
from runcoach.domain.rules import weekday_date

T = WorkoutType
WEEKDAY_NAMES = frozenset(w.name.title() for w in Weekday)


class Intent(StrEnum):
    """What a message asks. Sore or tired and short on time adapt a day (`adapt_today`); move,
    swap, skip (a rest day) and make easier propose edits (`propose_plan_changes`); the others
    are answered in words. Travel rests every planned run on the days the runner is away
    (`propose_plan_changes`). Help is also what a message nothing else fits gets."""

    SORE_OR_TIRED = "sore_or_tired"
    SHORT_ON_TIME = "short_on_time"
    MOVE = "move"
    SWAP = "swap"
    SKIP = "skip"
    TRAVEL = "travel"
    GOAL = "goal"
    VOLUME = "volume"
    MAKE_EASIER = "make_easier"
    HOW_AM_I_DOING = "how_am_i_doing"
    EXPLAIN_WORKOUT = "explain_workout"
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"


class DayRef(BaseModel):
    """A day as the runner named it: a date (`label` is the word they used), a kind of session,
    both, or neither, which means today."""

    model_config = ConfigDict(frozen=True)

    on: date | None = None
    type: WorkoutType | None = None
    label: str = ""

    def words(self, today: date) -> str:
        """The day in words, for "I can't find ..."."""
        on = self.on if self.on is not None or self.type is not None else today
        what = f"{article(NOUNS[self.type])} {NOUNS[self.type]}" if self.type else "a workout"
        return f"{what} on {weekday_date(on)}" if on is not None else what


class Recognised(BaseModel):
    """What the runner asked: the intent and its slots.

    `asked` is the day as named and `day` the planned day it resolved to (None when the plan has
    none); `other` is a swap's second day, `to` a move's target date. The check-in values are on
    the scales of `Checkin`; `part` is the body part named, `cause` the session named after
    "after" or "from", in words ("Tuesday's intervals").
    """

    model_config = ConfigDict(frozen=True)

    intent: Intent
    asked: DayRef = DayRef()
    day: ContextDay | None = None
    other_asked: DayRef | None = None
    other: ContextDay | None = None
    to: date | None = None
    minutes: int | None = None
    soreness: int | None = None
    fatigue: int | None = None
    sleep: int | None = None
    part: str | None = None
    plural: bool = False
    pain: bool = False
    cause: str | None = None
    #: The days a travelling runner is away, in order, from today and within `HORIZON_DAYS`.
    away: tuple[date, ...] = ()
    #: A goal question names a race or target of its own ("a sub-3 marathon"), not the runner's goal.
    new_goal: bool = False


# --------------------------------------------------------------------------- recognise


@dataclass(frozen=True)
class _Said:
    """The message read once: its words and everything the readers found in them."""

    words: Tokens
    dates: list[Span]
    types: list[Span]
    feelings: Feelings
    minutes: int | None
    today: date
    #: The day meant when the message names none: today's, or the one "it" stands for.
    it: DayRef


_PRONOUNS = frozenset({"it", "that", "this", "them"})


def recognise(text: str, context: CoachContext, *, it: DayRef | None = None) -> Recognised:
    """The runner's intent and its slots, with the named days resolved against the plan.

    `it` is the day the conversation was about (the one the runner's previous message named):
    a message that names no day but says "it" or "that" ("move it to Sunday") means that one.
    """
    words = tokens(text)
    said = _Said(
        words=words,
        dates=dates(words, context.today),
        types=session_types(words),
        feelings=feelings(words),
        minutes=minutes(words),
        today=context.today,
        it=it if it is not None and _PRONOUNS & set(words) else DayRef(),
    )
    return _slots(_intent(said, context), said, context)


#: Days ahead the coach sees (the context's plan): travel is read within them.
HORIZON_DAYS = 14


def _slots(intent: Intent, said: _Said, context: CoachContext) -> Recognised:
    match intent:
        case Intent.MOVE:
            days = _move_slots(said, context)
        case Intent.SWAP:
            days = _swap_slots(said, context)
        case Intent.TRAVEL:
            days = {"away": _away(said)}
        case _:
            days = _day_slots(intent, said, context)
    feel = said.feelings
    return Recognised(
        intent=intent,
        minutes=said.minutes,
        soreness=feel.soreness,
        fatigue=feel.fatigue,
        sleep=feel.sleep,
        part=feel.part,
        plural=feel.plural,
        pain=feel.pain,
        new_goal=intent is Intent.GOAL and bool(_RACE_WORDS & set(said.words)),
        **days,
    )


# --------------------------------------------------------------------------- intents

_SWAP_WORDS = frozenset({"swap", "switch", "swop", "exchange", "trade", "flip"})
_MOVE_WORDS = frozenset({"move", "moving", "reschedule", "postpone", "push", "shift", "delay", "rearrange"})
_SKIP_WORDS = frozenset({"skip", "skipping", "cancel"})
_EASIER_WORDS = frozenset({"easier", "lighter", "gentler"})
_EASIER_PHRASES: tuple[Tokens, ...] = (("take", "it", "easy"), ("go", "easy"), ("keep", "it", "easy"))
_INSTEAD_WORDS = frozenset({"instead", "rather"})
_DO_WORDS = frozenset({"do", "run", "have", "be"})
_TIME_WORDS = frozenset(
    {"only", "have", "got", "just", "time", "left", "spare", "squeeze", "fit", "short", "busy", "should"}
)
_SHORT_PHRASES: tuple[Tokens, ...] = (
    ("short", "on", "time"),
    ("no", "time"),
    ("not", "much", "time"),
    ("pressed", "for", "time"),
    ("in", "a", "hurry"),
    ("in", "a", "rush"),
)
_PROGRESS_WORDS = frozenset({"progress", "vdot", "improving", "stats"})
_HOW_WORDS = frozenset({"doing", "going", "training", "week", "getting", "looking"})
_HELP_PHRASES: tuple[Tokens, ...] = (
    ("help",),
    ("what", "can", "you"),
    ("what", "do", "you", "do"),
    ("how", "does", "this", "work"),
)
_EXPLAIN_WORDS = frozenset(
    {"explain", "why", "purpose", "point", "about", "what", "whats", "describe", "tell", "details", "mean"}
)
_EXPLAIN_PHRASES: tuple[Tokens, ...] = (("how", "long"), ("how", "far"), ("how", "fast"), ("how", "hard"))
_GREETINGS = frozenset({"hi", "hello", "hey", "hiya", "howdy", "yo", "morning", "afternoon", "evening"})
_THANKS = frozenset({"thanks", "thank", "thx", "cheers", "ta"})
_INDEFINITE = frozenset({"a", "an", "some"})


def _intent(said: _Said, context: CoachContext) -> Intent:
    """The first intent that fits, in the module's order."""
    checks = (
        (Intent.SWAP, _asks_swap),
        (Intent.MOVE, _asks_move),
        # "I'm away on Saturday, can the long run be on Friday?" asks to move it.
        (Intent.TRAVEL, lambda s: _travels(s) and not _session_elsewhere(s, context)),
        (Intent.SKIP, _asks_skip),
        (Intent.SORE_OR_TIRED, lambda s: s.feelings.any),
        (Intent.VOLUME, _asks_volume),
        (Intent.GOAL, _asks_goal),
        (Intent.SHORT_ON_TIME, _short_on_time),
        (Intent.MAKE_EASIER, _asks_easier),
        (Intent.MOVE, _two_days),
        (Intent.MOVE, lambda s: _does(s) and _elsewhere(s, context) is not None),
        (Intent.HOW_AM_I_DOING, _asks_progress),
        (Intent.HELP, lambda s: any(has(s.words, p) for p in _HELP_PHRASES)),
        (Intent.EXPLAIN_WORKOUT, _asks_explain),
        (Intent.GREETING, _greets),
        (Intent.THANKS, lambda s: bool(_THANKS & set(s.words))),
    )
    return next((intent for intent, fits in checks if fits(said)), Intent.HELP)


def _asks_swap(said: _Said) -> bool:
    return bool(_SWAP_WORDS & set(said.words)) and not _asks_easier(said)


def _asks_move(said: _Said) -> bool:
    """A move verb, or "instead" with a day named ("can I do it on Sunday instead")."""
    words = set(said.words)
    if _MOVE_WORDS & words:
        return True
    indefinite = any(_indefinite(said.words, t) for t in said.types)
    return bool(_INSTEAD_WORDS & words) and bool(_future(said)) and not indefinite


_TRAVEL_WORDS = frozenset(
    {"travel", "travelling", "traveling", "flight", "flights", "flying", "trip", "abroad", "conference"}
)
_TRAVEL_PHRASES: tuple[Tokens, ...] = (("on", "holiday"), ("on", "vacation"), ("on", "the", "road"))
#: "away" means travelling after these ("I'm away", "I'll be away"), not in "right away".
_AWAY_BEFORE = frozenset({"im", "am", "be", "being", "going", "ill"})
_RANGE_WORDS = frozenset({"to", "until", "till", "through", "thru"})


def _travels(said: _Said) -> bool:
    """Travelling now or soon: a travel word and a day to come, or no day at all (the coach asks
    which). "I travelled last week" is past tense, and a trip on a past day only is not one."""
    words = said.words
    away = any(w == "away" and i > 0 and words[i - 1] in _AWAY_BEFORE for i, w in enumerate(words))
    if not (_TRAVEL_WORDS & set(words) or away or any(has(words, p) for p in _TRAVEL_PHRASES)):
        return False
    return bool(_away(said)) or not (said.dates or weekend(words, said.today))


def _session_elsewhere(said: _Said, context: CoachContext) -> bool:
    """A kind of session asked for on another day: a move, even from a runner who is away."""
    return bool(said.types) and _does(said) and (_two_days(said) or _elsewhere(said, context) is not None)


def _away(said: _Said) -> tuple[date, ...]:
    """The days named, with "Thursday to Sunday" (or "Thu-Sun") every day between and "the
    weekend" its Saturday and Sunday; only today and the days after, within the horizon."""
    days: set[date] = {d.on for d in said.dates if d.on is not None}
    for first, then in zip(said.dates, said.dates[1:], strict=False):
        joined = then.start == first.end or (
            then.start == first.end + 1 and said.words[first.end] in _RANGE_WORDS
        )
        if joined and first.on is not None and then.on is not None and first.on < then.on:
            days |= {first.on + timedelta(days=n) for n in range((then.on - first.on).days + 1)}
    span = weekend(said.words, said.today)
    if span is not None:
        days |= {span[0], span[1]}
    last = said.today + timedelta(days=HORIZON_DAYS - 1)
    return tuple(sorted(d for d in days if said.today <= d <= last))


_VOLUME_WORDS = frozenset({"mileage", "volume", "km", "kms", "kilometres", "kilometers", "miles"})
_MORE_WORDS = frozenset(
    {"double", "triple", "increase", "raise", "boost", "bump", "more", "add", "extra", "ramp"}
)
_GOAL_WORDS = frozenset({"goal", "goals", "realistic", "unrealistic", "feasible", "achievable", "doable"})
_RACE_WORDS = frozenset({"marathon", "sub", "pb", "pr", "ultra"})
_CAN_WORDS = frozenset({"can", "could", "will", "possible"})


def _asks_volume(said: _Said) -> bool:
    """ "Can I double my mileage?": more weekly volume."""
    words = set(said.words)
    return bool(_VOLUME_WORDS & words) and bool(_MORE_WORDS & words)


def _asks_goal(said: _Said) -> bool:
    """ "Is my goal realistic?", "Can I run a sub-3 marathon in 6 weeks?"; not with a session named
    ("how does the tempo help my goal" is about the tempo)."""
    words = set(said.words)
    if said.types:
        return False
    return bool(_GOAL_WORDS & words) or (bool(_RACE_WORDS & words) and bool(_CAN_WORDS & words))


def _asks_skip(said: _Said) -> bool:
    words = said.words
    if _SKIP_WORDS & set(words):
        return True
    if "off" in words and {"day", "today", "tomorrow", "take"} & set(words):
        return True
    return any(_rest_verb(words, i) for i, w in enumerate(words) if w == "rest")


def _rest_verb(words: Tokens, i: int) -> bool:
    """ "rest" as a verb ("should I rest today", "I'd like to rest"), not "rest day"."""
    after = words[i + 1] if i + 1 < len(words) else ""
    if after in ("day", "days"):
        return False
    before = words[i - 1] if i > 0 else ""
    return before in ("i", "to", "just", "id") or after in ("today", "tomorrow", "instead")


def _short_on_time(said: _Said) -> bool:
    if any(has(said.words, p) for p in _SHORT_PHRASES):
        return True
    if said.minutes is None:
        return False
    words = set(said.words)
    return bool(_TIME_WORDS & words) or not (_EXPLAIN_WORDS & words)


def _asks_easier(said: _Said) -> bool:
    if _EASIER_WORDS & set(said.words) or any(has(said.words, p) for p in _EASIER_PHRASES):
        return True
    easy = (T.EASY, T.RECOVERY)
    return any(t.type in easy and _indefinite(said.words, t) for t in said.types)


def _two_days(said: _Said) -> bool:
    """ "Can I run tomorrow's workout today?": two days and a verb of running."""
    return len({d.on for d in _future(said)}) >= 2 and _does(said)


def _does(said: _Said) -> bool:
    """A verb of running, outside the names of sessions ("long run" is not one), and no question
    about what a session is ("what's the long run on Sunday?")."""
    named = {i for t in said.types for i in range(t.start, t.end)}
    verbs = {w for i, w in enumerate(said.words) if i not in named}
    return bool(_DO_WORDS & verbs) and not (_EXPLAIN_WORDS & verbs)


def _elsewhere(said: _Said, context: CoachContext) -> Span | None:
    """ "I want to do my long run tomorrow": a kind of session named with a day that does not hold
    it while the plan has one on another day. The day named is where the runner wants it."""
    for ref in references(said.words, said.dates, said.types):
        if ref.type is None or ref.on is None or ref.on < said.today:
            continue
        if find_day(_ref(ref), context) is None and find_day(DayRef(type=ref.type), context) is not None:
            return ref
    return None


def _asks_progress(said: _Said) -> bool:
    words = set(said.words)
    if _PROGRESS_WORDS & words or has(said.words, ("on", "track")):
        return True
    return "how" in words and bool(_HOW_WORDS & words) and not _explain_phrase(said)


def _asks_explain(said: _Said) -> bool:
    """Asking about a session, or just naming a day ("tomorrow's workout?")."""
    if _EXPLAIN_WORDS & set(said.words) or _explain_phrase(said):
        return True
    return bool(said.dates or said.types)


def _explain_phrase(said: _Said) -> bool:
    return any(has(said.words, p) for p in _EXPLAIN_PHRASES)


def _greets(said: _Said) -> bool:
    return bool(said.words) and (said.words[0] in _GREETINGS or has(said.words, ("good", "morning")))


def _indefinite(words: Tokens, span: Span) -> bool:
    """ "an easy run": a kind of session wanted, not a day of the plan."""
    return span.start > 0 and words[span.start - 1] in _INDEFINITE


def _future(said: _Said) -> list[Span]:
    return [d for d in said.dates if d.on is not None and d.on >= said.today and not _is_cause(said.words, d)]


# --------------------------------------------------------------------------- which days

_CAUSE_WORDS = frozenset({"after", "from", "since"})
_SKIPPABLE = frozenset({"my", "the", "last", "this", "that", "those", "our", "all"})
_TO_WORDS = frozenset({"to", "until", "till", "onto", "into"})
_JOINERS = frozenset({"on", "this", "for"})
_ADAPTING = frozenset({Intent.SORE_OR_TIRED, Intent.SHORT_ON_TIME, Intent.SKIP, Intent.MAKE_EASIER})


def references(words: Tokens, days: Sequence[Span], types: Sequence[Span]) -> list[Span]:
    """Days and kinds of session named together ("Saturday's long run", "the tempo on Friday")
    become one span; the rest stay as they are. In the order said."""
    refs: list[Span] = []
    used: set[int] = set()
    for kind in types:
        day = next((d for d in days if d.start not in used and _together(words, d, kind)), None)
        if day is None:
            refs.append(kind)
            continue
        used.add(day.start)
        refs.append(Span(min(day.start, kind.start), max(day.end, kind.end), day.on, day.label, kind.type))
    refs += [d for d in days if d.start not in used]
    return sorted(refs, key=lambda s: s.start)


def _together(words: Tokens, day: Span, kind: Span) -> bool:
    if day.end == kind.start or kind.end == day.start:
        return True
    return kind.end + 1 == day.start and words[kind.end] in _JOINERS


def _is_cause(words: Tokens, span: Span) -> bool:
    i = span.start - 1
    while i >= 0 and words[i] in _SKIPPABLE:
        i -= 1
    return i >= 0 and words[i] in _CAUSE_WORDS


def _ref(span: Span) -> DayRef:
    return DayRef(on=span.on, type=span.type, label=span.label)


def find_day(ref: DayRef, context: CoachContext) -> ContextDay | None:
    """The planned day a reference means: on its date (and of its type, if named), or the next of
    its type on or after today, or today's. None when the plan has no such day.

    A weekday name with a kind of session ("Saturday's easy run") may mean the same weekday a week
    later: the plan the coach sees is two weeks long, and the runner names the day by what is on it.
    """
    on = ref.on if ref.on is not None or ref.type is not None else context.today
    found = _on(context, on, ref.type)
    if found is None and on is not None and ref.type is not None and ref.label in WEEKDAY_NAMES:
        found = _on(context, on + timedelta(days=7), ref.type)
    return found


def _on(context: CoachContext, on: date | None, kind: WorkoutType | None) -> ContextDay | None:
    """The first planned day on `on` (or on or after today when None) of `kind` (any when None)."""
    found = [
        d
        for d in context.days
        if (d.date == on if on is not None else d.date >= context.today) and (kind is None or d.type is kind)
    ]
    return min(found, key=lambda d: (d.date, d.wid), default=None)


def _day_slots(intent: Intent, said: _Said, context: CoachContext) -> dict[str, Any]:
    # "I'm sore, can I do a recovery run?" wants a kind of session; "what is a tempo run?" asks
    # about the plan's next one.
    types = [t for t in said.types if intent not in _ADAPTING or not _indefinite(said.words, t)]
    refs = references(said.words, said.dates, types)
    causes = [r for r in refs if _is_cause(said.words, r) or _past(intent, r, said.today)]
    targets = [r for r in refs if r not in causes]
    asked = _ref(targets[0]) if targets else said.it
    return {"asked": asked, "day": find_day(asked, context), "cause": _cause_words(causes)}


def _past(intent: Intent, span: Span, today: date) -> bool:
    """A past day cannot be changed: when the runner feels something, it is what caused it."""
    return intent in _ADAPTING and span.on is not None and span.on < today


def _cause_words(causes: Sequence[Span]) -> str | None:
    """ "Tuesday's intervals", "yesterday's run", "the long run"."""
    if not causes:
        return None
    cause = causes[0]
    if cause.type is None:
        return f"{cause.label}'s run"
    noun = CAUSE_NOUNS[cause.type]
    return f"{cause.label}'s {noun}" if cause.label else f"the {noun}"


def _move_slots(said: _Said, context: CoachContext) -> dict[str, Any]:
    target = _move_target(said.words, said.dates)
    wanted = _elsewhere(said, context) if target is None else None
    if wanted is not None:
        asked = DayRef(type=wanted.type)
        return {"asked": asked, "day": find_day(asked, context), "to": wanted.on}
    refs = references(said.words, [d for d in said.dates if d is not target], said.types)
    asked = _source(refs) or said.it
    day = find_day(asked, context)
    to = target.on if target is not None else _shifted(day, _shift(said.words))
    return {"asked": asked, "day": day, "to": to}


def _move_target(words: Tokens, days: Sequence[Span]) -> Span | None:
    """Where the runner wants the session (see the module's decisions)."""
    marked = [d for d in days if d.start > 0 and words[d.start - 1] in _TO_WORDS]
    if marked:
        return marked[-1]
    free = [d for d in days if not _is_source(words, d)]
    if free and (len(days) >= 2 or _INSTEAD_WORDS & set(words)):
        return free[-1]
    return None


def _is_source(words: Tokens, day: Span) -> bool:
    """ "instead of Saturday", "rather than Saturday", "from Saturday"."""
    before = words[max(day.start - 2, 0) : day.start]
    return before in (("instead", "of"), ("rather", "than")) or before[-1:] == ("from",)


def _source(refs: Sequence[Span]) -> DayRef | None:
    """The session to move: the first kind of session and the first day named, together."""
    kind = next((r for r in refs if r.type is not None), None)
    day = next((r for r in refs if r.on is not None), None)
    if kind is not None and kind.on is None and day is not None:
        return DayRef(on=day.on, type=kind.type, label=day.label)
    named = kind or day
    return _ref(named) if named is not None else None


_SHIFT_COUNTS = {"a": 1, "one": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3}


def _shift(words: Tokens) -> int | None:
    """ "a day later", "back a day", "two days earlier", "forward a day": days to move by."""
    for i in range(len(words) - 1):
        count = _SHIFT_COUNTS.get(words[i])
        if count is None or words[i + 1] not in ("day", "days"):
            continue
        after = words[i + 2] if i + 2 < len(words) else ""
        before = words[i - 1] if i > 0 else ""
        if after in ("later", "back") or before in ("back", "by"):
            return count
        if after in ("earlier", "sooner", "forward") or before in ("forward", "ahead"):
            return -count
    return None


def _shifted(day: ContextDay | None, shift: int | None) -> date | None:
    return day.date + timedelta(days=shift) if day is not None and shift is not None else None


def _swap_slots(said: _Said, context: CoachContext) -> dict[str, Any]:
    named = [_ref(r) for r in references(said.words, said.dates, said.types)]
    if len(named) == 1 and named[0].type is None:
        named = [said.it, named[0]]  # "swap it with Sunday": today's day (or its) and Sunday's
    asked = named[0] if named else said.it
    other = named[1] if len(named) > 1 else None
    found = find_day(other, context) if other is not None else None
    return {"asked": asked, "day": find_day(asked, context), "other_asked": other, "other": found}
