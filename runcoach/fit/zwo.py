"""Zwift run workouts (`.zwo`) as structured workouts: `zwo_to_workout`.

A `.zwo` file is XML: `<workout_file>` with a `<name>`, a `<sportType>` (`run` here), an optional
`<durationType>` and a `<workout>` holding blocks in order. What we read, and where it comes from
(Zwift publishes no specification; these are the references the community works from):

- Elements and attributes: h4l/zwift-workout-file-reference, `zwift_workout_file_tag_reference.md`
  (generated from every workout shipped with Zwift): `Warmup`, `Cooldown` and `Ramp` (`Duration`,
  `PowerLow`, `PowerHigh`), `SteadyState` (`Duration`, `Power`), `IntervalsT` (`Repeat`, `OnDuration`,
  `OffDuration`, `OnPower`, `OffPower`), `FreeRide`/`Freeride` (`Duration`), the `pace` attribute on
  all but free runs, and `textevent`/`TextEvent` messages inside a block. Tag and attribute names
  are matched without regard to case, as that reference lists both spellings of several.
- Run semantics: breiko83/zwo-editor (the web Zwift workout editor, run mode), `WorkoutCanvas.tsx`
  (`pace` 0 = 1 mile, 1 = 5 km, 2 = 10 km, 3 = half marathon, 4 = marathon), `Editor.tsx`
  `calculateSpeed` and `Bar.tsx` (a block's speed = its "power" × the distance / time of that race:
  power is a fraction of race-pace *speed*), `xmlService.ts` (`<durationType>distance</durationType>`
  makes every duration a distance in metres; absent or `time`, seconds; `pace` absent reads as 0;
  a run block's `Incline` is a fraction, "0.02" = 2 %). Files generated from a half-marathon time
  write `pace="3"`, which agrees.

Decisions, in one place:

- Race speeds come from the runner's `Paces`: the 5 km, 10 km, half and marathon predictions the
  pace screen shows, and the mile from the same VDOT (`predict_time_s`). A block with a power needs
  them; without paces the import is refused with a sentence sending the runner to the Profile page.
- `IntervalsT` becomes a `Repeat` of (on: work, off: recovery); `Repeat="1"` gives plain steps, and
  an `OffDuration` of 0 leaves the block with its on step only.
- Ramps (`Warmup`, `Cooldown`, `Ramp`) become up to four steps of equal length (at least 2 min or
  400 m each, one step when shorter), each at the speed the ramp reaches in its middle, so the
  distance run equals the ramp's and the runner still feels it build (the quick generator writes its
  warm-up the same way, in steps). A warm-up always climbs and a cool-down always eases off, whichever
  of `PowerLow`/`PowerHigh` a tool wrote first (tools disagree); a `Ramp` goes from `PowerLow` to
  `PowerHigh`.
- Kinds: warm-up and cool-down as named, interval on/off as work/recovery, steady blocks and middle
  ramps steady at E or M and work at T, I or R (the runner's zone nearest the speed). A free run is a
  steady E step with no speed of its own (the runner's E pace plays it) and a note saying so.
- Text events become the note of their block's (first) step, joined with " / ", cut to 200 characters.
- Refused with `InvalidInput("file", ...)`: a DOCTYPE or any entity declaration (no entity is ever
  expanded, so no "billion laughs" and no external entity), XML that is not well formed, a file over
  1 MiB or with more than 5,000 elements, a root that is not `<workout_file>`, a sport other than
  run, a workout with no blocks, a block we cannot run (e.g. `MaxEffort`), numbers that are not
  numbers or are absurd (durations outside 5 s .. 6 h, distances outside 20 m .. 100 km, repeats
  above 50, a `pace` outside 0..4, speeds outside 1..30 km/h, inclines outside 0..15 %), and more
  than 100 steps and repeats in all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from xml.parsers import expat

from pydantic import ValidationError

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import MILE_M, RACE_DISTANCE_M, Paces, Race, Zone, predict_time_s
from runcoach.domain.structure import (
    MAX_ITEMS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_REPEATS,
    MAX_STEP_INCLINE_PCT,
    MAX_STEP_M,
    MAX_STEP_S,
    MAX_TARGET_KMH,
    MIN_STEP_M,
    MIN_STEP_S,
    MIN_TARGET_KMH,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
)
from runcoach.fit.workout_file import nearest_zone

#: The service refuses files over its `max_import_bytes` setting (256 KiB by default) first; this cap
#: only keeps the parser safe when it is called directly.
MAX_ZWO_BYTES = 1024 * 1024
MAX_ZWO_ELEMENTS = 5000
MAX_ZWO_DEPTH = 8
#: The longest piece of a ramp before it is split (up to `MAX_RAMP_STEPS` pieces).
RAMP_PIECE_S = 120
RAMP_PIECE_M = 400.0
MAX_RAMP_STEPS = 4
DEFAULT_NAME = "Zwift run workout"
FREE_RUN_NOTE = "Free run: your own pace."
NO_PACES = (
    "This Zwift workout sets its speeds from your race paces, and RunCoach has none for you yet: "
    "set a race result or your easy pace on the Profile page, then import it again."
)

#: Zwift's `pace` attribute: which race pace a block's "power" is a fraction of (see the docstring).
PACE_DISTANCES_M: tuple[float, ...] = (
    MILE_M,
    RACE_DISTANCE_M[Race.FIVE_K],
    RACE_DISTANCE_M[Race.TEN_K],
    RACE_DISTANCE_M[Race.HALF],
    RACE_DISTANCE_M[Race.MARATHON],
)
_PACE_RACES: tuple[Race | None, ...] = (None, Race.FIVE_K, Race.TEN_K, Race.HALF, Race.MARATHON)
_EASY_ZONES = frozenset({Zone.EASY, Zone.MARATHON})
_TEXT_EVENTS = frozenset({"textevent", "textnotification"})


# --------------------------------------------------------------------------- XML, safely


@dataclass
class _Node:
    """An element: `tag` and the `attrs` keys lower-cased for matching, `name` and `spelled` (lower-cased
    attribute name -> as written) as the file has them, for sentences."""

    name: str
    attributes: dict[str, str]
    children: list[_Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    tag: str = field(init=False)
    attrs: dict[str, str] = field(init=False)
    spelled: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.tag = self.name.lower()
        self.attrs = {k.lower(): v for k, v in self.attributes.items()}
        self.spelled = {k.lower(): k for k in self.attributes}

    def child(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def content(self) -> str:
        return "".join(self.text).strip()


class _Refused(Exception):
    """Raised inside the expat callbacks; carries the sentence for the runner."""


def _parse(data: bytes) -> _Node:
    """The XML as a small tree, tag and attribute names lower-cased. Expat with every declaration
    handler refusing, so no DOCTYPE, entity or external reference is ever read or expanded."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    stack: list[_Node] = []
    roots: list[_Node] = []

    def refuse(*_: object) -> None:
        raise _Refused(
            "The file declares a DOCTYPE or entities, which RunCoach does not read; export it again."
        )

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_ZWO_DEPTH:
            raise _Refused("The file nests its elements too deeply to be a Zwift workout.")
        roots.append(node := _Node(tag, attrs))
        if len(roots) > MAX_ZWO_ELEMENTS:
            raise _Refused(f"The file has more than {MAX_ZWO_ELEMENTS} elements; no Zwift workout has.")
        if stack:
            stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def text(content: str) -> None:
        if stack:
            stack[-1].text.append(content)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Refused as refusal:
        raise InvalidInput("file", str(refusal)) from None
    except Exception:  # ExpatError, an unknown encoding (LookupError), bad bytes (UnicodeError)...
        raise InvalidInput("file", "This is not a Zwift workout: the file is not well-formed XML.") from None
    return roots[0]


# --------------------------------------------------------------------------- the workout


def zwo_to_workout(data: bytes, *, paces: Paces | None) -> StructuredWorkout:
    """A Zwift run workout as a structured workout: blocks in order, interval blocks as repeats,
    speeds from the runner's race paces (`paces`; None when they have none). InvalidInput("file", ...)
    for a file RunCoach cannot run, InvalidInput("paces", ...) when it needs paces the runner has not
    set (see the module docstring)."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise InvalidInput("file", "The file is empty.")
    if len(data) > MAX_ZWO_BYTES:
        raise InvalidInput(
            "file", f"The file is larger than {MAX_ZWO_BYTES // 1024} KB; no Zwift workout is."
        )
    root = _parse(bytes(data))
    if root.tag != "workout_file":
        raise InvalidInput("file", "This is not a Zwift workout: it has no <workout_file>.")
    _check_sport(root)
    blocks = [
        b for b in (root.child("workout") or _Node("workout", {})).children if b.tag not in _TEXT_EVENTS
    ]
    if not blocks:
        raise InvalidInput("file", "This Zwift workout has no blocks to run.")
    reader = _Reader(distance=_distance_based(root), paces=paces)
    items = [item for number, block in enumerate(blocks, 1) for item in reader.items(block, number)]
    if len(items) > MAX_ITEMS:
        raise InvalidInput(
            "file", f"This workout makes {len(items)} steps and repeats; RunCoach takes {MAX_ITEMS}."
        )
    name = _clip((root.child("name") or _Node("name", {})).content(), MAX_NAME_CHARS) or DEFAULT_NAME
    try:
        return StructuredWorkout(name=name, items=tuple(items))
    except ValidationError:  # the checks on every number should leave nothing for this
        raise InvalidInput("file", "This Zwift workout does not fit RunCoach's limits.") from None


def _check_sport(root: _Node) -> None:
    sport_node = root.child("sporttype")
    sport = sport_node.content().lower() if sport_node else ""
    if sport != "run":
        said = (
            f"for {_SPORT_WORDS.get(sport, sport[:20])}" if sport else "a cycling workout (it names no sport)"
        )
        raise InvalidInput("file", f"This Zwift workout is {said}; RunCoach imports run workouts only.")


_SPORT_WORDS = {"bike": "cycling", "swim": "swimming"}
#: Attribute names as Zwift writes them, for sentences about an attribute a block lacks.
_SPELLING = {
    name.lower(): name
    for name in (
        "Duration",
        "OnDuration",
        "OffDuration",
        "Power",
        "OnPower",
        "OffPower",
        "PowerLow",
        "PowerHigh",
    )
}


def _distance_based(root: _Node) -> bool:
    node = root.child("durationtype")
    kind = node.content().lower() if node else "time"
    if kind not in ("time", "distance", ""):
        raise InvalidInput(
            "file", f'This Zwift workout measures blocks in "{kind[:20]}"; RunCoach knows time and distance.'
        )
    return kind == "distance"


@dataclass(frozen=True)
class _Amount:
    """How long a block (or a part of one) lasts: seconds, or metres in a distance-based workout."""

    value: float
    distance: bool

    @property
    def seconds(self) -> int | None:
        return None if self.distance else round(self.value)

    @property
    def metres(self) -> float | None:
        return round(self.value, 2) if self.distance else None

    def split(self, parts: int) -> list[_Amount]:
        """`parts` pieces adding up to this amount (whole seconds for time)."""
        if self.distance:
            piece = round(self.value / parts, 2)
            return [_Amount(piece, True)] * (parts - 1) + [
                _Amount(round(self.value - piece * (parts - 1), 2), True)
            ]
        whole = round(self.value)
        return [_Amount(whole // parts + (1 if i < whole % parts else 0), False) for i in range(parts)]


@dataclass(frozen=True)
class _Reader:
    """Turns one block into items, with the workout's duration type and the runner's paces."""

    distance: bool
    paces: Paces | None

    def items(self, block: _Node, number: int) -> list[Step | Repeat]:
        handler = _HANDLERS.get(block.tag)
        if handler is None:
            raise InvalidInput(
                "file", f"Block {number} is a <{block.name[:30]}>, which RunCoach cannot run on a treadmill."
            )
        return handler(self, _Block(block, number))

    # ----- blocks

    def ramp(self, b: _Block) -> list[Step | Repeat]:
        amount = self.amount(b, "duration")
        start, end = self.ramp_speeds(b)
        kind = {"warmup": StepKind.WARMUP, "cooldown": StepKind.COOLDOWN}.get(b.node.tag)
        parts = _ramp_parts(amount, start is not None)
        steps: list[Step | Repeat] = []
        for i, piece in enumerate(amount.split(parts)):
            speed = (
                None if start is None or end is None else round(start + (end - start) * (i + 0.5) / parts, 2)
            )
            steps.append(self.step(b, piece, speed, kind, note=b.note if i == 0 else None))
        return steps

    def steady(self, b: _Block) -> list[Step | Repeat]:
        power = b.number_of("power")
        if power is None and b.has("powerlow") and b.has("powerhigh"):
            power = ((b.number_of("powerlow") or 0.0) + (b.number_of("powerhigh") or 0.0)) / 2
        return [self.step(b, self.amount(b, "duration"), self.speed(b, power), None, note=b.note)]

    def free(self, b: _Block) -> list[Step | Repeat]:
        note = f"{FREE_RUN_NOTE} {b.note}" if b.note else FREE_RUN_NOTE
        return [self.step(b, self.amount(b, "duration"), None, StepKind.STEADY, note=note)]

    def intervals(self, b: _Block) -> list[Step | Repeat]:
        times = b.number_of("repeat")
        times = 1 if times is None else times
        if times != int(times) or not 1 <= times <= MAX_REPEATS:
            raise InvalidInput(
                "file",
                f"Block {b.number} repeats {times:g} times; RunCoach repeats 1 to {MAX_REPEATS} times.",
            )
        on = self.step(
            b, self.amount(b, "onduration"), self.speed(b, b.number_of("onpower")), StepKind.WORK, b.note
        )
        steps = [on]
        if (b.number_of("offduration") or 0.0) > 0:
            off_speed = self.speed(b, b.number_of("offpower"))
            steps.append(self.step(b, self.amount(b, "offduration"), off_speed, StepKind.RECOVERY, None))
        if times == 1:
            return list(steps)
        return [Repeat(times=int(times), steps=tuple(steps))]

    # ----- numbers

    def amount(self, b: _Block, attribute: str) -> _Amount:
        value = b.number_of(attribute)
        if value is None:
            raise InvalidInput("file", f"Block {b.number} ({b.name}) has no {b.spelled(attribute)}.")
        if self.distance and not MIN_STEP_M <= value <= MAX_STEP_M:
            raise InvalidInput(
                "file",
                f"Block {b.number} ({b.name}) covers {value:g} m; a step covers "
                f"{MIN_STEP_M:g} m to {MAX_STEP_M / 1000:g} km.",
            )
        if not self.distance and not MIN_STEP_S <= round(value) <= MAX_STEP_S:
            raise InvalidInput(
                "file",
                f"Block {b.number} ({b.name}) lasts {value:g} s; "
                f"a step lasts {MIN_STEP_S} s to {MAX_STEP_S // 3600} h.",
            )
        return _Amount(value, self.distance)

    def ramp_speeds(self, b: _Block) -> tuple[float | None, float | None]:
        low, high = b.number_of("powerlow"), b.number_of("powerhigh")
        if low is None or high is None:
            flat = self.speed(
                b, b.number_of("power") if low is None and high is None else low if high is None else high
            )
            return flat, flat
        start, end = self.speed(b, low), self.speed(b, high)
        assert start is not None and end is not None  # both powers are numbers
        if b.node.tag == "warmup":
            return min(start, end), max(start, end)
        if b.node.tag == "cooldown":
            return max(start, end), min(start, end)
        return start, end

    def speed(self, b: _Block, power: float | None) -> float | None:
        """The belt speed (km/h) of `power` times the block's race pace; None without a power."""
        if power is None:
            return None
        pace = b.number_of("pace")
        pace = 0.0 if pace is None else pace
        if pace != int(pace) or not 0 <= pace < len(PACE_DISTANCES_M):
            raise InvalidInput(
                "file", f"Block {b.number} ({b.name}) names pace {pace:g}; Zwift's paces are 0 to 4."
            )
        kmh = round(power * self.race_kmh(int(pace)), 2)
        if not MIN_TARGET_KMH <= kmh <= MAX_TARGET_KMH:
            raise InvalidInput(
                "file",
                f"Block {b.number} ({b.name}) asks for {kmh:g} km/h; "
                f"a treadmill runs {MIN_TARGET_KMH:g} to {MAX_TARGET_KMH:g} km/h.",
            )
        return kmh

    def race_kmh(self, pace: int) -> float:
        """The runner's race speed (km/h) over Zwift pace `pace`'s distance."""
        if self.paces is None:
            raise InvalidInput("paces", NO_PACES)
        race = _PACE_RACES[pace]
        seconds = (
            round(predict_time_s(self.paces.vdot, MILE_M)) if race is None else self.paces.predictions_s[race]
        )
        return PACE_DISTANCES_M[pace] / seconds * 3.6

    def step(
        self, b: _Block, amount: _Amount, speed: float | None, kind: StepKind | None, note: str | None
    ) -> Step:
        zone = self.zone(speed, kind)
        if kind is None:  # steady blocks and middle ramps: the effort says which
            kind = StepKind.STEADY if zone in _EASY_ZONES else StepKind.WORK
        return Step(
            kind=kind,
            zone=zone,
            speed_kmh=speed,
            incline_pct=b.incline(),
            note=_clip(note, MAX_NOTE_CHARS),
            duration_s=amount.seconds,
            distance_m=amount.metres,
        )

    def zone(self, speed: float | None, kind: StepKind | None) -> Zone:
        if speed is not None and self.paces is not None and self.paces.zones:
            return nearest_zone(speed, self.paces.zones)
        return Zone.THRESHOLD if kind is StepKind.WORK else Zone.EASY


@dataclass(frozen=True)
class _Block:
    """One block element, with its number (1-based) for the runner's sake."""

    node: _Node
    number: int

    @property
    def name(self) -> str:
        return f"<{self.node.name[:30]}>"

    def spelled(self, attribute: str) -> str:
        """An attribute's name as the file writes it, else as Zwift does."""
        return self.node.spelled.get(attribute) or _SPELLING.get(attribute, attribute)

    def has(self, attribute: str) -> bool:
        return attribute in self.node.attrs

    def number_of(self, attribute: str) -> float | None:
        raw = self.node.attrs.get(attribute)
        if raw is None or not raw.strip():
            return None
        try:
            value = float(raw)
        except ValueError:
            raise InvalidInput(
                "file",
                f'Block {self.number} ({self.name}) has {self.spelled(attribute)}="{raw[:20]}", '
                "not a number.",
            ) from None
        if not math.isfinite(value) or value < 0:
            raise InvalidInput(
                "file",
                f'Block {self.number} ({self.name}) has {self.spelled(attribute)}="{raw[:20]}"; '
                "it must be a finite number of 0 or more.",
            )
        return value + 0.0  # -0 reads as 0

    def incline(self) -> float:
        fraction = self.number_of("incline") or 0.0
        pct = round(fraction * 100, 2)
        if pct > MAX_STEP_INCLINE_PCT:
            raise InvalidInput(
                "file",
                f"Block {self.number} ({self.name}) climbs {pct:g} %; "
                f"RunCoach plans at most {MAX_STEP_INCLINE_PCT:g} %.",
            )
        return pct

    @property
    def note(self) -> str | None:
        messages = (c.attrs.get("message", "").strip() for c in self.node.children if c.tag in _TEXT_EVENTS)
        return _clip(" / ".join(m for m in messages if m), MAX_NOTE_CHARS)


def _ramp_parts(amount: _Amount, has_speed: bool) -> int:
    """How many steps a ramp becomes: one per `RAMP_PIECE_S` (or `RAMP_PIECE_M`), at most four."""
    if not has_speed:
        return 1
    unit = RAMP_PIECE_M if amount.distance else RAMP_PIECE_S
    return max(1, min(MAX_RAMP_STEPS, int(amount.value // unit)))


def _clip(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    return text.strip()[:limit].strip() or None


_HANDLERS: Mapping[str, Callable[[_Reader, _Block], list[Step | Repeat]]] = {
    "warmup": _Reader.ramp,
    "cooldown": _Reader.ramp,
    "ramp": _Reader.ramp,
    "steadystate": _Reader.steady,
    "intervalst": _Reader.intervals,
    "freeride": _Reader.free,
}
