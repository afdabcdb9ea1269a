"""How a runner says things, read word by word for the deterministic coach (`coach_rules`).

Pure: standard library and `runcoach.domain` only; `today` is always passed in. A message becomes
lowercase tokens (`tokens`), and each reader below finds one kind of thing in them: days
(`dates`), kinds of session (`session_types`), minutes (`minutes`), and how the runner feels
(`feelings`). Readers return spans (token positions), so the coach can tell what was said where:
"after Tuesday's intervals" is a cause, "to Sunday" a target.

Decisions, in one place:

- A weekday name is the next such day on or after today; today's own weekday name means today,
  "next" makes it a week later, "last" the one before today. "Next Friday" said on a Wednesday is
  the coming Friday: the plan the coach sees is two weeks long, and that is the common reading.
- "The weekend" (or "this weekend") is the coming Saturday and Sunday; said on a Sunday it is
  today, and "next weekend" then is the following one. "Last weekend" is past: none.
- "The 14th" is the next 14th on or after today; "14 December" the next 14 December.
- A type needs its noun where the bare word is common English: "long run", "easy run", "rest
  day", "recovery run" (a "long day at work" is not a long run); "tempo", "intervals", "hills",
  "fartlek", "progression" and "race" stand alone.
- Feelings come in three tiers: mild (stiff, a bit sore: soreness 3 of 10, fatigue 3 of 5),
  moderate (sore, tired: 5 and 4) and severe (pain, very sore, exhausted: 7 and 5). "A bit" lowers
  a word one tier, "very" raises it one; a negation just before ("not sore", "no pain") cancels
  it. Soreness 7 and fatigue 5 are where `readiness` says rest, 4 and 4 where it says easy, so the
  tiers land in the bands a runner would expect. Named running injuries (shin splints, plantar
  fasciitis, IT band, stress fracture, tendinitis, runner's knee) are pain, as "pain" is. A body
  part alone ("my knee") counts as sore, unless said to be well ("legs are fine").
- Sleep is 2 of 5 for a bad night and 1 for none at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from runcoach.domain.plan_model import Weekday, WorkoutType

Tokens = tuple[str, ...]

_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?(?:st|nd|rd|th)?|[a-z]+(?:'[a-z]+)*")
_ORDINAL = re.compile(r"(\d{1,2})(st|nd|rd|th)?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def tokens(text: str) -> Tokens:
    """The message as lowercase words and numbers: "Saturday's" becomes "saturday" (the possessive
    says nothing about the day), "don't" becomes "dont", ISO dates stay one token."""
    lowered = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return tuple(_clean(m.group()) for m in _TOKEN.finditer(lowered))


def _clean(token: str) -> str:
    return token.removesuffix("'s").replace("'", "")


def at(words: Tokens, i: int, phrase: Tokens) -> bool:
    """Whether `phrase` starts at position `i`."""
    return words[i : i + len(phrase)] == phrase


def has(words: Tokens, phrase: Tokens) -> bool:
    """Whether `phrase` occurs anywhere."""
    return any(at(words, i, phrase) for i in range(len(words)))


@dataclass(frozen=True)
class Span:
    """Something found at tokens `start` (inclusive) to `end` (exclusive): a day (`on`, with the
    word that named it in `label`), a kind of session (`type`), or both once grouped."""

    start: int
    end: int
    on: date | None = None
    label: str = ""
    type: WorkoutType | None = None


# --------------------------------------------------------------------------- days

RELATIVE: Final = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tomorow": 1, "yesterday": -1}
WEEKDAYS: Final = {
    **dict.fromkeys(("monday", "mon"), Weekday.MONDAY),
    **dict.fromkeys(("tuesday", "tue", "tues"), Weekday.TUESDAY),
    **dict.fromkeys(("wednesday", "wed", "weds"), Weekday.WEDNESDAY),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), Weekday.THURSDAY),
    **dict.fromkeys(("friday", "fri"), Weekday.FRIDAY),
    **dict.fromkeys(("saturday", "sat"), Weekday.SATURDAY),
    **dict.fromkeys(("sunday", "sun"), Weekday.SUNDAY),
}
_MONTH_NAMES = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
MONTHS: Final = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names}
_WEEKDAY_PREFIX = frozenset({"next", "this", "last", "coming"})
_PRONOUNS = frozenset({"i", "we", "you", "he", "she", "they", "just"})


def dates(words: Tokens, today: date) -> list[Span]:
    """Every day named in the message, in order, resolved against `today`."""
    found: list[Span] = []
    i = 0
    while i < len(words):
        span = _date_at(words, i, today)
        found += [span] if span else []
        i = span.end if span else i + 1
    return found


def _date_at(words: Tokens, i: int, today: date) -> Span | None:
    for read in (_relative_at, _weekday_at, _iso_at, _month_day_at, _day_month_at, _ordinal_at):
        span = read(words, i, today)
        if span is not None:
            return span
    return None


def _relative_at(words: Tokens, i: int, today: date) -> Span | None:
    if at(words, i, ("day", "after", "tomorrow")):
        return Span(i, i + 3, on=today + timedelta(days=2), label="the day after tomorrow")
    offset = RELATIVE.get(words[i])
    if offset is None:
        return None
    label = {0: "today", 1: "tomorrow", -1: "yesterday"}[offset]
    return Span(i, i + 1, on=today + timedelta(days=offset), label=label)


def _weekday_at(words: Tokens, i: int, today: date) -> Span | None:
    prefix = words[i] if words[i] in _WEEKDAY_PREFIX else None
    j = i + 1 if prefix else i
    if j >= len(words) or words[j] not in WEEKDAYS:
        return None
    if words[j] == "sat" and i > 0 and words[i - 1] in _PRONOUNS:
        return None  # "I sat at my desk all day"
    weekday = WEEKDAYS[words[j]]
    return Span(i, j + 1, on=weekday_on(today, weekday, prefix), label=weekday.name.title())


def weekday_on(today: date, weekday: int, prefix: str | None = None) -> date:
    """The day a weekday name means said on `today` (see the module's decisions)."""
    ahead = (weekday - today.weekday()) % 7
    if prefix == "last":
        return today - timedelta(days=(7 - ahead) % 7 or 7)
    if prefix == "next" and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


_WEEKEND_WORDS = frozenset({"weekend", "wkend", "wknd"})


def weekend(words: Tokens, today: date) -> tuple[date, date] | None:
    """The first and last day of "the weekend" named in the message (see the module's decisions),
    or None when it names none or only last weekend."""
    for i, word in enumerate(words):
        if word not in _WEEKEND_WORDS:
            continue
        prefix = words[i - 1] if i > 0 and words[i - 1] in _WEEKDAY_PREFIX else None
        if prefix == "last":
            continue
        if today.weekday() == Weekday.SUNDAY and prefix != "next":
            return today, today
        saturday = weekday_on(today, Weekday.SATURDAY, "next" if prefix == "next" else None)
        return saturday, saturday + timedelta(days=1)
    return None


def _iso_at(words: Tokens, i: int, today: date) -> Span | None:
    try:
        on = date.fromisoformat(words[i]) if len(words[i]) == 10 else None
    except ValueError:
        return None
    return Span(i, i + 1, on=on, label=on.isoformat()) if on else None


def _month_day_at(words: Tokens, i: int, today: date) -> Span | None:
    """ "December 14", "dec 14th", "may the 3rd"."""
    month = MONTHS.get(words[i])
    j = i + 2 if at(words, i + 1, ("the",)) else i + 1
    day = _day_number(words[j]) if month and j < len(words) else None
    if month is None or day is None:
        return None
    on = next_date(today, day, month)
    return Span(i, j + 1, on=on, label=_day_label(on)) if on else None


def _day_month_at(words: Tokens, i: int, today: date) -> Span | None:
    """ "14 December", "the 14th of dec"."""
    j = i + 1 if words[i] == "the" else i
    day = _day_number(words[j]) if j < len(words) else None
    k = j + 2 if at(words, j + 1, ("of",)) else j + 1
    month = MONTHS.get(words[k]) if day and k < len(words) else None
    if day is None or month is None:
        return None
    on = next_date(today, day, month)
    return Span(i, k + 1, on=on, label=_day_label(on)) if on else None


def _ordinal_at(words: Tokens, i: int, today: date) -> Span | None:
    """ "the 14th": the next 14th of a month on or after today."""
    j = i + 1 if words[i] == "the" else i
    match = _ORDINAL.fullmatch(words[j]) if j < len(words) else None
    if match is None or match.group(2) is None:
        return None
    on = next_date(today, int(match.group(1)))
    return Span(i, j + 1, on=on, label=_day_label(on)) if on else None


def _day_number(word: str) -> int | None:
    match = _ORDINAL.fullmatch(word)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 31 else None


def next_date(today: date, day: int, month: int | None = None) -> date | None:
    """The first date on or after `today` with that day of the month (and month, if given)."""
    for on in _candidates(today, day, month):
        if on >= today:
            return on
    return None


def _candidates(today: date, day: int, month: int | None) -> Iterator[date]:
    for step in range(13):
        year, index = divmod(today.month - 1 + step, 12)
        if month is None or index + 1 == month:
            try:
                yield date(today.year + year, index + 1, day)
            except ValueError:
                continue  # no 31st in this month (or 29 February in this year)


def _day_label(on: date) -> str:
    return f"{Weekday(on.weekday()).name.title()} {on.day} {_MONTH_NAMES[on.month - 1][0].title()}"


# --------------------------------------------------------------------------- kinds of session

T = WorkoutType
_TYPE_PHRASES: dict[Tokens, WorkoutType] = {
    **dict.fromkeys((("long", "run"), ("long", "runs"), ("long", "one"), ("longrun",)), T.LONG),
    **dict.fromkeys((("long", "session"), ("long", "workout")), T.LONG),
    **dict.fromkeys((("easy", "run"), ("easy", "runs"), ("easy", "jog"), ("easy", "one")), T.EASY),
    **dict.fromkeys((("easy", "day"), ("easy", "session")), T.EASY),
    **dict.fromkeys((("recovery", "run"), ("recovery", "jog"), ("recovery", "session")), T.RECOVERY),
    **dict.fromkeys((("tempo",), ("threshold",)), T.TEMPO),
    **dict.fromkeys((("intervals",), ("interval",), ("speed", "work"), ("speedwork",)), T.INTERVALS),
    **dict.fromkeys((("hills",), ("hill",)), T.HILLS),
    ("fartlek",): T.FARTLEK,
    ("progression",): T.PROGRESSION,
    ("race",): T.RACE,
    ("rest", "day"): T.REST,
}
_LONGEST_FIRST = sorted(_TYPE_PHRASES, key=len, reverse=True)
_PACE_WORDS = frozenset({"pace", "paces", "speed", "effort"})
#: Nouns that may follow a type word and belong to it ("tempo run", "hill repeats").
SESSION_NOUNS: Final = frozenset(
    {"run", "runs", "session", "workout", "repeats", "reps", "day", "jog", "one"}
)


def session_types(words: Tokens) -> list[Span]:
    """Every kind of session named in the message, in order ("long run", "tempo", "hills"...)."""
    found: list[Span] = []
    i = 0
    while i < len(words):
        phrase = next((p for p in _LONGEST_FIRST if at(words, i, p)), None)
        if phrase is None:
            i += 1
            continue
        end = i + len(phrase)
        following = words[end] if end < len(words) else ""
        if following not in _PACE_WORDS:  # "race pace" and "tempo pace" are paces, not sessions
            end += 1 if len(phrase) == 1 and following in SESSION_NOUNS else 0
            found.append(Span(i, end, type=_TYPE_PHRASES[phrase]))
        i = end
    return found


# --------------------------------------------------------------------------- minutes

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_MINUTE_UNITS = frozenset({"minute", "minutes", "min", "mins", "m"})
_HOUR_UNITS = frozenset({"hour", "hours", "hr", "hrs", "h"})
_HOUR_PHRASES: tuple[tuple[Tokens, int], ...] = (
    (("an", "hour", "and", "a", "half"), 90),
    (("one", "hour", "and", "a", "half"), 90),
    (("three", "quarters", "of", "an", "hour"), 45),
    (("quarter", "of", "an", "hour"), 15),
    (("half", "an", "hour"), 30),
    (("half", "hour"), 30),
    (("an", "hour"), 60),
    (("one", "hour"), 60),
)
#: Longest time a runner may say they have (`AdaptToday.minutes_available`).
MAX_MINUTES = 600


def minutes(words: Tokens) -> int | None:
    """The first length of time in the message, in minutes ("30 min", "half an hour", "1.5 hours",
    "forty-five minutes"); None when there is none or it is beyond `MAX_MINUTES`."""
    for i in range(len(words)):
        found = _phrase_minutes(words, i) or _number_minutes(words, i)
        if found is not None:
            return found if found <= MAX_MINUTES else None
    return None


def _phrase_minutes(words: Tokens, i: int) -> int | None:
    return next((value for phrase, value in _HOUR_PHRASES if at(words, i, phrase)), None)


def _number_minutes(words: Tokens, i: int) -> int | None:
    value, end = _number_at(words, i)
    if value is None or end >= len(words):
        return None
    if words[end] in _MINUTE_UNITS:
        return round(value)
    return round(value * 60) if words[end] in _HOUR_UNITS else None


def _number_at(words: Tokens, i: int) -> tuple[float | None, int]:
    """A number written in digits or words at `i`, and where it ends."""
    word = words[i]
    if _NUMBER.fullmatch(word):
        return float(word), i + 1
    if word in _TENS:
        unit = _UNITS.get(words[i + 1]) if i + 1 < len(words) else None
        return (_TENS[word] + unit, i + 2) if unit else (_TENS[word], i + 1)
    value = _TEENS.get(word) or _UNITS.get(word)
    return (value, i + 1) if value else (None, i)


# --------------------------------------------------------------------------- how the runner feels

MILD, MODERATE, SEVERE = 1, 2, 3
#: Soreness out of 10 and fatigue out of 5 for each tier (see the module's decisions).
SORENESS_BY_TIER: Final = {MILD: 3, MODERATE: 5, SEVERE: 7}
FATIGUE_BY_TIER: Final = {MILD: 3, MODERATE: 4, SEVERE: 5}

#: Named running injuries count as pain: the runner gets the physio note.
INJURIES: Final[tuple[Tokens, ...]] = (
    ("shin", "splints"),
    ("shin", "splint"),
    ("plantar", "fasciitis"),
    ("fasciitis",),
    ("it", "band"),
    ("itb",),
    ("itbs",),
    ("stress", "fracture"),
    ("tendinitis",),
    ("tendonitis",),
    ("tendinopathy",),
    ("runners", "knee"),
    ("runner", "knee"),
)
_PAIN: dict[Tokens, int] = {
    **{(w,): SEVERE for w in ("pain", "painful", "hurt", "hurts", "hurting", "injury", "injured")},
    **dict.fromkeys(INJURIES, SEVERE),
}
_SORE: dict[Tokens, int] = {
    **{(w,): MILD for w in ("stiff", "stiffness", "tight", "niggle", "niggly", "twinge")},
    **{(w,): MODERATE for w in ("sore", "soreness", "ache", "aches", "aching", "achy", "doms", "tender")},
    **_PAIN,
    **{(w,): SEVERE for w in ("sprain", "sprained", "strain", "strained", "pulled")},
}
_FATIGUE: dict[Tokens, int] = {
    **{(w,): MODERATE for w in ("tired", "fatigued", "weary", "sluggish", "lethargic", "sick", "ill")},
    **{(w,): SEVERE for w in ("exhausted", "knackered", "shattered", "wiped", "drained", "fever", "flu")},
    ("heavy", "legs"): MODERATE,
    ("no", "energy"): MODERATE,
    ("a", "cold"): MODERATE,
    ("run", "down"): SEVERE,
    ("burnt", "out"): SEVERE,
    ("burned", "out"): SEVERE,
}
_SLEEP: dict[Tokens, int] = {
    **{
        phrase: 2
        for phrase in (
            ("slept", "badly"),
            ("slept", "bad"),
            ("slept", "poorly"),
            ("slept", "terribly"),
            ("sleep", "badly"),
            ("bad", "sleep"),
            ("poor", "sleep"),
            ("bad", "night"),
            ("rough", "night"),
            ("terrible", "night"),
            ("didnt", "sleep"),
            ("couldnt", "sleep"),
            ("barely", "slept"),
            ("hardly", "slept"),
            ("little", "sleep"),
            ("sleepless",),
            ("insomnia",),
        )
    },
    ("no", "sleep"): 1,
    ("didnt", "sleep", "at", "all"): 1,
    ("up", "all", "night"): 1,
}
#: Body parts: True when the word is plural ("calves are", "a knee is").
BODY_PARTS: Final = {
    **dict.fromkeys(("calf", "shin", "knee", "achilles", "hamstring", "quad", "hip", "ankle"), False),
    **dict.fromkeys(("foot", "heel", "groin", "glute", "leg", "back"), False),
    **dict.fromkeys(("calves", "shins", "knees", "hamstrings", "quads", "hips", "ankles"), True),
    **dict.fromkeys(("feet", "heels", "glutes", "legs"), True),
}
#: A body part followed by one of these within `_FINE_AHEAD` words is well ("legs are fine").
_FINE = frozenset({"fine", "ok", "okay", "good", "great", "fresh", "alright"})
_FINE_AHEAD = 3
#: "back" is a body part only after these ("my back", not "back a day").
_BACK_BEFORE = frozenset({"my", "lower", "upper"})
_MILDER = frozenset({"bit", "little", "slightly", "mildly", "mild", "somewhat", "kinda", "touch"})
_STRONGER = frozenset({"very", "really", "so", "super", "extremely", "terribly", "incredibly", "dead", "too"})
_AFTER_STRONGER: tuple[Tokens, ...] = (("badly",), ("a", "lot"))
_AFTER_MILDER: tuple[Tokens, ...] = (("a", "bit"), ("a", "little"))
_NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "without",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "dont",
        "doesnt",
        "didnt",
        "nothing",
    }
)
#: A negation or modifier does not reach across these.
_CLAUSE_BREAKS = frozenset({"but", "and", "though", "although", "yet"})
#: Words before a feeling that a modifier may be ("a little bit sore") or a negation ("not too sore").
_LOOK_BACK = 3
_NEGATION_BACK = 2


@dataclass(frozen=True)
class Feelings:
    """How the runner says they feel, on the check-in scales (None when they did not say)."""

    soreness: int | None = None
    fatigue: int | None = None
    sleep: int | None = None
    part: str | None = None
    plural: bool = False
    pain: bool = False

    @property
    def any(self) -> bool:
        return self.soreness is not None or self.fatigue is not None or self.sleep is not None


def feelings(words: Tokens) -> Feelings:
    """Soreness, fatigue and sleep from the runner's words (see the module's decisions)."""
    sore = _tier(words, _SORE)
    part, plural = body_part(words)
    fatigue = _tier(words, _FATIGUE)
    # "Heavy legs" is tiredness: a leg counts as sore by itself only when nothing else was said.
    if sore is None and part is not None and not (part.startswith("leg") and fatigue):
        sore = MODERATE
    sleeps = [v for phrase, v in _SLEEP.items() for i in _positions(words, phrase) if not _negated(words, i)]
    return Feelings(
        soreness=SORENESS_BY_TIER[sore] if sore else None,
        fatigue=FATIGUE_BY_TIER[fatigue] if fatigue else None,
        sleep=min(sleeps) if sleeps else None,
        part=part,
        plural=plural,
        pain=_tier(words, _PAIN) == SEVERE,
    )


def body_part(words: Tokens) -> tuple[str | None, bool]:
    """The first body part named (and not denied), with whether it is plural."""
    for i, word in enumerate(words):
        if word not in BODY_PARTS or _negated(words, i):
            continue
        if word == "back" and (i == 0 or words[i - 1] not in _BACK_BEFORE):
            continue
        if _FINE & set(words[i + 1 : i + 1 + _FINE_AHEAD]):
            continue  # "legs are fine"
        return word, BODY_PARTS[word]
    return None, False


def _tier(words: Tokens, table: Mapping[Tokens, int]) -> int | None:
    """The highest tier of the table's phrases in the message, after modifiers and negations."""
    tiers = [
        _modified(words, i, len(phrase), tier)
        for phrase, tier in table.items()
        for i in _positions(words, phrase)
        if not _negated(words, i)
    ]
    return max(tiers) if tiers else None


def _positions(words: Tokens, phrase: Tokens) -> Iterator[int]:
    return (i for i in range(len(words)) if at(words, i, phrase))


def _before(words: Tokens, i: int, back: int = _LOOK_BACK) -> Tokens:
    """Up to `back` words before `i`, cut at a clause break ("not tired but sore")."""
    window = words[max(i - back, 0) : i]
    breaks = [k for k, w in enumerate(window) if w in _CLAUSE_BREAKS]
    return window[breaks[-1] + 1 :] if breaks else window


def _negated(words: Tokens, i: int) -> bool:
    # Two words only: commas are gone, and "not sore, just tired" is tired.
    return any(w in _NEGATIONS for w in _before(words, i, _NEGATION_BACK))


def _modified(words: Tokens, i: int, length: int, tier: int) -> int:
    before, end = _before(words, i), i + length
    if any(w in _MILDER for w in before) or any(at(words, end, p) for p in _AFTER_MILDER):
        return max(tier - 1, MILD)
    if any(w in _STRONGER for w in before) or any(at(words, end, p) for p in _AFTER_STRONGER):
        return min(tier + 1, SEVERE)
    return tier


# --------------------------------------------------------------------------- saying them back

#: A kind of session in words.
NOUNS: Final = {
    T.EASY: "easy run",
    T.LONG: "long run",
    T.RECOVERY: "recovery run",
    T.TEMPO: "tempo run",
    T.INTERVALS: "interval session",
    T.HILLS: "hill session",
    T.FARTLEK: "fartlek",
    T.PROGRESSION: "progression run",
    T.RACE: "race",
    T.REST: "rest day",
}
#: As a runner names the session that made them sore ("after Tuesday's intervals").
CAUSE_NOUNS: Final = {
    **NOUNS,
    T.TEMPO: "tempo",
    T.INTERVALS: "intervals",
    T.HILLS: "hills",
}


def article(noun: str) -> str:
    """ "a" or "an" before a noun (good enough for the nouns the coach says)."""
    return "an" if noun[:1] in "aeiou" else "a"
