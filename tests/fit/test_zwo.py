"""Zwift run workouts (.zwo): realistic files become structured workouts at the runner's race paces;
hostile XML, other sports and absurd numbers are refused in a sentence, and nothing else escapes."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import MILE_M, RACE_DISTANCE_M, Race, Zone, paces_for, predict_time_s
from runcoach.domain.structure import Repeat, Step, StepKind, StructuredWorkout, Treadmill, compile_program
from runcoach.fit.zwo import FREE_RUN_NOTE, zwo_to_workout

K = StepKind
PACES = paces_for(50.0)


def race_kmh(race: Race | None) -> float:
    """The runner's race speed: 5 km to marathon as the pace screen predicts them, the mile from VDOT."""
    if race is None:
        return MILE_M / round(predict_time_s(PACES.vdot, MILE_M)) * 3.6
    return RACE_DISTANCE_M[race] / PACES.predictions_s[race] * 3.6


FIVE_K = race_kmh(Race.FIVE_K)
HALF = race_kmh(Race.HALF)

#: What Zwift's own editor writes for a run: a ramped warm-up, 5 × 3 min at 5 km pace, a steady
#: half-marathon-pace block up a 2 % slope, a free run and a ramped cool-down.
FIVE_K_INTERVALS = b"""<?xml version="1.0" encoding="UTF-8"?>
<workout_file>
    <author>Coach Kim</author>
    <name>5K Sharpener</name>
    <description>Five threes at 5K pace.</description>
    <sportType>run</sportType>
    <durationType>time</durationType>
    <tags><tag name="intervals"/></tags>
    <workout>
        <Warmup Duration="600" PowerLow="0.70" PowerHigh="0.86" pace="1">
            <textevent timeoffset="0" message="Easy to start"/>
            <textevent timeoffset="300" message="Build gently"/>
        </Warmup>
        <IntervalsT Repeat="5" OnDuration="180" OffDuration="90" OnPower="1.0" OffPower="0.72" pace="1"/>
        <SteadyState Duration="300" Power="0.95" pace="3" Incline="0.02"/>
        <FreeRide Duration="120" FlatRoad="0"/>
        <Cooldown Duration="300" PowerLow="0.80" PowerHigh="0.68" pace="1"/>
    </workout>
</workout_file>
"""


def zwo(*blocks: str, sport: str = "run", duration_type: str | None = None, name: str = "Test run") -> bytes:
    """A minimal run workout file around the given block elements."""
    kind = f"<durationType>{duration_type}</durationType>" if duration_type else ""
    body = "".join(blocks)
    return (
        f"<workout_file><name>{name}</name><sportType>{sport}</sportType>{kind}"
        f"<workout>{body}</workout></workout_file>"
    ).encode()


def steps_of(workout: StructuredWorkout) -> list[Step]:
    return [s for item in workout.items for s in (item.steps if isinstance(item, Repeat) else (item,))]


# --------------------------------------------------------------------------- realistic files


def test_a_zwift_interval_run_becomes_warm_up_steps_a_repeat_block_a_hill_a_free_run_and_a_cool_down() -> (
    None
):
    workout = zwo_to_workout(FIVE_K_INTERVALS, paces=PACES)

    assert workout.name == "5K Sharpener"
    warm, block, hill, free, cool = (
        workout.items[:4],
        workout.items[4],
        *workout.items[5:7],
        workout.items[7:],
    )
    assert all(isinstance(s, Step) and s.kind is K.WARMUP and s.duration_s == 150 for s in warm)
    assert [s.speed_kmh for s in warm] == pytest.approx(  # type: ignore[union-attr]
        [FIVE_K * (0.70 + 0.16 * f) for f in (0.125, 0.375, 0.625, 0.875)], abs=0.01
    )
    assert warm[0].note == "Easy to start / Build gently"  # type: ignore[union-attr]

    assert isinstance(block, Repeat) and block.times == 5
    on, off = block.steps
    assert (on.kind, on.duration_s, on.zone) == (K.WORK, 180, Zone.INTERVAL)
    assert on.speed_kmh == pytest.approx(FIVE_K, abs=0.01)
    assert (off.kind, off.duration_s, off.zone) == (K.RECOVERY, 90, Zone.EASY)
    assert off.speed_kmh == pytest.approx(FIVE_K * 0.72, abs=0.01)

    assert isinstance(hill, Step)
    assert hill.speed_kmh == pytest.approx(HALF * 0.95, abs=0.01)
    assert hill.incline_pct == 2.0
    assert isinstance(free, Step)
    assert (free.kind, free.zone, free.speed_kmh, free.note) == (K.STEADY, Zone.EASY, None, FREE_RUN_NOTE)
    assert all(isinstance(s, Step) and s.kind is K.COOLDOWN and s.duration_s == 150 for s in cool)
    assert [s.speed_kmh for s in cool] == pytest.approx(  # type: ignore[union-attr]
        [FIVE_K * 0.77, FIVE_K * 0.71], abs=0.01
    )


def test_an_imported_zwift_run_plays_on_the_treadmill() -> None:
    workout = zwo_to_workout(FIVE_K_INTERVALS, paces=PACES)

    program = compile_program(workout, PACES.zones, Treadmill())

    assert program.total_duration_s == 600 + 5 * 270 + 300 + 120 + 300


def test_a_ramp_covers_the_distance_of_the_ramp_it_replaces() -> None:
    workout = zwo_to_workout(
        zwo('<Ramp Duration="900" PowerLow="0.6" PowerHigh="1.0" pace="2"/>'), paces=PACES
    )

    steps = steps_of(workout)
    ten_k = race_kmh(Race.TEN_K)
    assert len(steps) == 4
    assert [s.speed_kmh for s in steps] == sorted(s.speed_kmh or 0 for s in steps)
    covered = sum((s.speed_kmh or 0) * (s.duration_s or 0) for s in steps)
    assert covered == pytest.approx(ten_k * 0.8 * 900, rel=1e-3)  # the ramp's mean speed, the whole time


@pytest.mark.parametrize(
    ("block", "count"),
    [
        ('<Warmup Duration="100" PowerLow="0.6" PowerHigh="0.8"/>', 1),
        ('<Warmup Duration="300" PowerLow="0.6" PowerHigh="0.8"/>', 2),
        ('<Warmup Duration="1800" PowerLow="0.6" PowerHigh="0.8"/>', 4),
    ],
)
def test_ramps_split_into_steps_of_at_least_two_minutes_and_at_most_four(block: str, count: int) -> None:
    assert len(zwo_to_workout(zwo(block), paces=PACES).items) == count


def test_a_warm_up_climbs_and_a_cool_down_eases_off_whichever_power_a_tool_wrote_first() -> None:
    workout = zwo_to_workout(
        zwo(
            '<Warmup Duration="300" PowerLow="0.8" PowerHigh="0.6"/>',
            '<Cooldown Duration="300" PowerLow="0.6" PowerHigh="0.8"/>',
        ),
        paces=PACES,
    )

    warm_up, cool_down = (
        [s.speed_kmh or 0 for s in steps_of(workout)[:2]],
        [s.speed_kmh or 0 for s in steps_of(workout)[2:]],
    )
    assert warm_up[0] < warm_up[1]
    assert cool_down[0] > cool_down[1]


@pytest.mark.parametrize(
    ("pace", "race"),
    [("0", None), ("1", Race.FIVE_K), ("2", Race.TEN_K), ("3", Race.HALF), ("4", Race.MARATHON)],
)
def test_the_pace_attribute_picks_the_race_pace_the_power_is_a_fraction_of(
    pace: str, race: Race | None
) -> None:
    (step,) = zwo_to_workout(
        zwo(f'<SteadyState Duration="600" Power="0.9" pace="{pace}"/>'), paces=PACES
    ).items

    assert isinstance(step, Step)
    assert step.speed_kmh == pytest.approx(race_kmh(race) * 0.9, abs=0.01)


def test_a_block_without_a_pace_attribute_runs_at_a_fraction_of_mile_pace() -> None:
    (step,) = zwo_to_workout(zwo('<SteadyState Duration="600" Power="0.7"/>'), paces=PACES).items
    assert isinstance(step, Step)
    assert step.speed_kmh == pytest.approx(race_kmh(None) * 0.7, abs=0.01)


def test_steady_blocks_are_steady_at_easy_or_marathon_effort_and_work_when_faster() -> None:
    easy, marathon, tempo = zwo_to_workout(
        zwo(
            '<SteadyState Duration="600" Power="0.75" pace="1"/>',
            '<SteadyState Duration="600" Power="1.0" pace="4"/>',
            '<SteadyState Duration="600" Power="1.0" pace="3"/>',
        ),
        paces=PACES,
    ).items

    assert (easy.kind, easy.zone) == (K.STEADY, Zone.EASY)  # type: ignore[union-attr]
    assert (marathon.kind, marathon.zone) == (K.STEADY, Zone.MARATHON)  # type: ignore[union-attr]
    assert (tempo.kind, tempo.zone) == (K.WORK, Zone.THRESHOLD)  # type: ignore[union-attr]


def test_a_distance_workout_keeps_its_distances() -> None:
    workout = zwo_to_workout(
        zwo(
            '<Warmup Duration="1000" PowerLow="0.6" PowerHigh="0.8" pace="1"/>',
            '<IntervalsT Repeat="6" OnDuration="400" OffDuration="200" OnPower="1.05" OffPower="0.6" '
            'pace="1"/>',
            '<Cooldown Duration="800" PowerLow="0.7" PowerHigh="0.6" pace="1"/>',
            duration_type="distance",
        ),
        paces=PACES,
    )

    steps = steps_of(workout)
    assert all(s.duration_s is None for s in steps)
    assert [s.distance_m for s in steps] == [500, 500, 400, 200, 400, 400]
    block = workout.items[2]
    assert isinstance(block, Repeat) and block.times == 6


def test_a_single_interval_is_plain_steps_and_one_without_rest_a_one_step_repeat() -> None:
    workout = zwo_to_workout(
        zwo(
            '<IntervalsT Repeat="1" OnDuration="60" OffDuration="60" OnPower="1" OffPower="0.7" pace="1"/>',
            '<IntervalsT Repeat="8" OnDuration="20" OffDuration="0" OnPower="1.1" OffPower="0.7" pace="1"/>',
        ),
        paces=PACES,
    )

    on, off, strides = workout.items
    assert isinstance(on, Step) and on.kind is K.WORK
    assert isinstance(off, Step) and off.kind is K.RECOVERY
    assert isinstance(strides, Repeat) and strides.times == 8 and len(strides.steps) == 1


def test_lower_case_tags_as_some_tools_write_them_are_read() -> None:
    data = (
        b"<workout_file><name>Hills</name><sporttype>run</sporttype><workout>"
        b'<steadystate duration="300" power="0.8" pace="2" incline="0.05"/>'
        b"</workout></workout_file>"
    )
    (step,) = zwo_to_workout(data, paces=PACES).items
    assert isinstance(step, Step) and step.incline_pct == 5.0


def test_a_free_run_needs_no_paces() -> None:
    workout = zwo_to_workout(zwo('<FreeRide Duration="1800"/>'), paces=None)
    (step,) = workout.items
    assert isinstance(step, Step) and step.speed_kmh is None and step.duration_s == 1800


def test_a_workout_without_a_name_gets_one() -> None:
    data = zwo('<FreeRide Duration="600"/>').replace(b"<name>Test run</name>", b"")
    assert zwo_to_workout(data, paces=None).name == "Zwift run workout"


def test_without_race_paces_the_runner_is_sent_to_the_profile_page() -> None:
    with pytest.raises(InvalidInput) as refused:
        zwo_to_workout(FIVE_K_INTERVALS, paces=None)

    assert refused.value.field == "paces"
    assert "race result or your easy pace on the Profile page" in str(refused.value)


# --------------------------------------------------------------------------- refusals


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<workout_file><name>&lol9;</name><sportType>run</sportType>
<workout><FreeRide Duration="600"/></workout></workout_file>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE workout_file [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<workout_file><name>&secret;</name><sportType>run</sportType>
<workout><FreeRide Duration="600"/></workout></workout_file>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE workout_file [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<workout_file><sportType>run</sportType><workout><FreeRide Duration="600"/></workout></workout_file>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE workout_file SYSTEM "http://127.0.0.1:9/zwift.dtd">
<workout_file><sportType>run</sportType><workout><FreeRide Duration="600"/></workout></workout_file>
"""


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY, EXTERNAL_DTD],
    ids=["billion laughs", "external entity", "parameter entity", "external DTD"],
)
def test_doctypes_and_entities_are_refused_before_anything_is_expanded_or_fetched(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match="DOCTYPE or entities") as refused:
        zwo_to_workout(data, paces=PACES)
    assert refused.value.field == "file"
    assert time.perf_counter() - started < 0.5  # nothing was expanded, nothing was fetched


@pytest.mark.parametrize(
    ("sport", "sentence"),
    [("bike", "is for cycling"), ("swim", "is for swimming"), ("Row", "is for row")],
)
def test_workouts_for_other_sports_are_refused(sport: str, sentence: str) -> None:
    data = zwo('<SteadyState Duration="600" Power="0.8"/>', sport=sport)
    with pytest.raises(InvalidInput, match=sentence):
        zwo_to_workout(data, paces=PACES)


def test_a_workout_that_names_no_sport_is_a_bike_workout_to_zwift() -> None:
    data = b'<workout_file><workout><SteadyState Duration="600" Power="0.8"/></workout></workout_file>'
    with pytest.raises(InvalidInput, match="names no sport"):
        zwo_to_workout(data, paces=PACES)


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"", "The file is empty."),
        (b"PK\x03\x04 not xml at all", "not well-formed XML"),
        (b"<workout_file><name>unclosed</workout_file>", "not well-formed XML"),
        (b"<gpx><trk/></gpx>", "no <workout_file>"),
        (zwo(), "no blocks"),
        (b"<workout_file><sportType>run</sportType></workout_file>", "no blocks"),
        (zwo('<MaxEffort Duration="30"/>'), r"Block 1 is a <MaxEffort>"),
        (zwo('<SteadyState Power="0.8"/>'), r"\(<SteadyState>\) has no Duration"),
        (zwo('<SteadyState Duration="fast" Power="0.8"/>'), 'Duration="fast", not a number'),
        (zwo('<SteadyState Duration="nan" Power="0.8"/>'), 'Duration="nan"'),
        (zwo('<SteadyState Duration="-60" Power="0.8"/>'), 'Duration="-60"'),
        (zwo('<SteadyState Duration="2" Power="0.8"/>'), "lasts 2 s"),
        (zwo('<SteadyState Duration="1e9" Power="0.8"/>'), "lasts 1e\\+09 s"),
        (zwo('<SteadyState Duration="5" Power="0.8"/>', duration_type="distance"), "covers 5 m"),
        (zwo('<SteadyState Duration="60" Power="0.8"/>', duration_type="laps"), 'in "laps"'),
        (zwo('<SteadyState Duration="60" Power="50"/>'), "asks for"),
        (zwo('<SteadyState Duration="60" Power="0"/>'), "asks for 0 km/h"),
        (zwo('<SteadyState Duration="60" Power="0.8" pace="7"/>'), "names pace 7"),
        (zwo('<SteadyState Duration="60" Power="0.8" pace="1.5"/>'), "names pace 1.5"),
        (zwo('<SteadyState Duration="60" Power="0.8" Incline="0.5"/>'), "climbs 50 %"),
        (
            zwo('<IntervalsT Repeat="500" OnDuration="60" OffDuration="60" OnPower="1" OffPower="0.6"/>'),
            "500 times",
        ),
        (
            zwo('<IntervalsT Repeat="2.5" OnDuration="60" OffDuration="60" OnPower="1" OffPower="0.6"/>'),
            "2.5 times",
        ),
        (
            zwo('<IntervalsT Repeat="0" OnDuration="60" OffDuration="60" OnPower="1" OffPower="0.6"/>'),
            "0 times",
        ),
        (zwo(*['<FreeRide Duration="60"/>'] * 101), "101 steps and repeats"),
        (b"<workout_file>" + b"<a>" * 10 + b"</a>" * 10 + b"</workout_file>", "too deeply"),
        (b"<workout_file>" + b"<a/>" * 6000 + b"</workout_file>", "more than 5000 elements"),
        (b" " * 1_100_000, "larger than 1024 KB"),
    ],
)
def test_files_a_treadmill_cannot_run_are_refused_in_a_sentence(data: bytes, sentence: str) -> None:
    with pytest.raises(InvalidInput, match=sentence) as refused:
        zwo_to_workout(data, paces=PACES)
    assert refused.value.field == "file"


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600))
def test_random_bytes_never_raise_anything_but_invalid_input(data: bytes) -> None:
    with contextlib.suppress(InvalidInput):
        zwo_to_workout(data, paces=PACES)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """The realistic file with a few characters replaced, inserted or removed."""
    text = bytearray(FIVE_K_INTERVALS)
    for _ in range(draw(st.integers(1, 5))):
        position = draw(st.integers(0, len(text) - 1))
        piece = draw(st.sampled_from([b"<", b">", b'"', b"&", b"-", b"0", b"9", b"e", b"/", b" ", b"x", b""]))
        text[position : position + draw(st.integers(0, 3))] = piece
    return bytes(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled(), with_paces=st.booleans())
def test_mangled_zwift_files_are_refused_or_read_never_anything_else(data: bytes, with_paces: bool) -> None:
    try:
        workout = zwo_to_workout(data, paces=PACES if with_paces else None)
    except InvalidInput as refusal:
        assert refusal.field in ("file", "paces")
    else:
        assert isinstance(workout, StructuredWorkout)
