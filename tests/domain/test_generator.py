"""Tests of the seeded workout generator: fixed examples plus properties over the whole input space."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from runcoach.domain.generator import WorkoutDraft, generate_workout
from runcoach.domain.paces import Zone
from runcoach.domain.structure import (
    AS_WRITTEN,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    compile_workout,
    unroll,
)
from runcoach.domain.workouts import (
    INCLINE_STEP_PCT,
    MAX_SEED,
    SPEED_STEP_KMH,
    Constraints,
    Goal,
    Level,
    Segment,
    SegmentLabel,
    WorkoutSpec,
    on_grid,
)

L = SegmentLabel
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


# --------------------------------------------------------------------------- strategies


@st.composite
def constraints(draw: st.DrawFn, duration_min: int = 180) -> Constraints:
    """Any valid constraints whose explicit warm-up and cool-down fit `duration_min`."""
    low = draw(st.integers(10, 249))  # tenths of km/h, so every speed is on the grid
    high = draw(st.integers(low + 1, 250))
    warmup = draw(st.none() | st.integers(0, min(30, duration_min - 5)))
    cooldown = draw(st.none() | st.integers(0, min(30, duration_min - 5 - (warmup or 0))))
    return draw(
        st.builds(
            Constraints,
            min_speed_kmh=st.just(low / 10),
            max_speed_kmh=st.just(high / 10),
            max_incline_pct=st.integers(0, 30).map(lambda halves: halves / 2),
            easy_speed_kmh=st.none() | st.integers(low, high).map(lambda tenths: tenths / 10),
            level=st.sampled_from(Level),
            warmup_min=st.just(warmup),
            cooldown_min=st.just(cooldown),
        )
    )


@st.composite
def specs(draw: st.DrawFn, goals: st.SearchStrategy[Goal] = st.sampled_from(Goal)) -> WorkoutSpec:
    """Any valid workout spec."""
    duration = draw(st.integers(10, 180))
    return draw(
        st.builds(WorkoutSpec, duration_min=st.just(duration), goal=goals, constraints=constraints(duration))
    )


seeds = st.integers(0, MAX_SEED)


# --------------------------------------------------------------------------- helpers


def spec_of(goal: Goal, duration_min: int = 45, **constraints: object) -> WorkoutSpec:
    return WorkoutSpec(
        duration_min=duration_min, goal=goal, constraints=Constraints.model_validate(constraints)
    )


def main_set(draft: WorkoutDraft) -> list[Segment]:
    """The segments between the warm-up and the cool-down."""
    return [s for s in draft.segments if s.label not in (L.WARM_UP, L.COOL_DOWN)]


def seconds(segments: list[Segment], *labels: SegmentLabel) -> int:
    """Total seconds of the segments with one of `labels`, or of all segments without labels."""
    return sum(s.duration_s for s in segments if not labels or s.label in labels)


# --------------------------------------------------------------------------- fixed examples


@pytest.mark.parametrize(
    ("goal", "main_labels", "name_part"),
    [
        (Goal.EASY, {L.RUN, L.STEADY}, "Easy run"),
        (Goal.LONG, {L.RUN, L.STEADY}, "Long run"),
        (Goal.TEMPO, {L.RUN, L.TEMPO}, "Tempo run"),
        (Goal.INTERVALS, {L.RUN, L.INTERVAL, L.RECOVERY}, "Intervals: "),
        (Goal.HILLS, {L.RUN, L.HILL, L.RECOVERY}, "Hills: "),
        (Goal.FARTLEK, {L.RUN, L.SURGE}, "Fartlek: "),
        (Goal.PYRAMID, {L.RUN, L.INTERVAL, L.RECOVERY}, "Pyramid: "),
        (Goal.RECOVERY, {L.RUN, L.RECOVERY}, "Recovery run"),
        (Goal.PROGRESSION, {L.RUN, L.STEADY, L.TEMPO}, "Progression run"),
    ],
)
@pytest.mark.parametrize("duration", [10, 30, 45, 60, 90, 180])
def test_each_goal_uses_its_own_labels_and_name(
    goal: Goal, main_labels: set[SegmentLabel], name_part: str, duration: int
) -> None:
    draft = generate_workout(spec_of(goal, duration), seed=7)
    assert draft.goal is goal
    assert draft.name.startswith(f"{duration}-min {name_part}")
    assert {s.label for s in main_set(draft)} <= main_labels
    assert draft.total_duration_s == duration * 60


@pytest.mark.parametrize(
    ("goal", "duration", "name"),
    [
        (Goal.INTERVALS, 45, "45-min Intervals: "),
        (Goal.PROGRESSION, 60, "60-min Progression run: "),
        (Goal.HILLS, 30, "30-min Hills: "),
    ],
)
def test_names_are_human_friendly(goal: Goal, duration: int, name: str) -> None:
    draft = generate_workout(spec_of(goal, duration), seed=1)
    assert draft.name.startswith(name)
    assert any(ch.isdigit() for ch in draft.name.removeprefix(name))


@pytest.mark.parametrize(
    ("warmup", "cooldown", "warm_s", "cool_s"),
    [
        (15, 10, 15 * 60, 10 * 60),
        (0, 0, 60, 60),  # an explicit 0 still gets a one-minute warm-up and cool-down
        (0, 7, 60, 7 * 60),
        (12, 0, 12 * 60, 60),
    ],
)
def test_explicit_warm_up_and_cool_down_minutes(warmup: int, cooldown: int, warm_s: int, cool_s: int) -> None:
    draft = generate_workout(spec_of(Goal.TEMPO, 60, warmup_min=warmup, cooldown_min=cooldown), seed=3)
    assert seconds(list(draft.segments), L.WARM_UP) == warm_s
    assert seconds(list(draft.segments), L.COOL_DOWN) == cool_s


@pytest.mark.parametrize(
    ("goal", "duration", "warm_s", "cool_s"),
    [
        (Goal.INTERVALS, 10, 180, 120),
        (Goal.INTERVALS, 30, 300, 300),
        (Goal.INTERVALS, 60, 600, 300),
        (Goal.INTERVALS, 90, 600, 600),
        (Goal.EASY, 30, 180, 180),
        (Goal.RECOVERY, 10, 120, 120),
        (Goal.LONG, 120, 300, 300),
    ],
)
def test_default_framing_scales_with_duration_and_goal(
    goal: Goal, duration: int, warm_s: int, cool_s: int
) -> None:
    draft = generate_workout(spec_of(goal, duration), seed=5)
    assert seconds(list(draft.segments), L.WARM_UP) == warm_s
    assert seconds(list(draft.segments), L.COOL_DOWN) == cool_s


def test_default_cool_down_shrinks_to_leave_five_minutes() -> None:
    draft = generate_workout(spec_of(Goal.TEMPO, 20, warmup_min=12), seed=1)
    assert seconds(list(draft.segments), L.COOL_DOWN) == 3 * 60
    assert seconds(main_set(draft)) == 5 * 60


@pytest.mark.parametrize("max_incline", [0.0, 0.5])
def test_hills_without_incline_become_flat_surges(max_incline: float) -> None:
    draft = generate_workout(spec_of(Goal.HILLS, 40, max_incline_pct=max_incline), seed=11)
    labels = {s.label for s in main_set(draft)}
    assert L.SURGE in labels
    assert L.HILL not in labels
    assert "surges" in draft.name
    assert all(s.incline_pct <= max_incline for s in draft.segments)


def test_hills_climb_between_three_percent_and_the_maximum() -> None:
    for seed in range(20):
        draft = generate_workout(spec_of(Goal.HILLS, 40, max_incline_pct=8.0), seed=seed)
        hills = {s.incline_pct for s in draft.segments if s.label is L.HILL}
        assert len(hills) == 1
        assert 3.0 <= hills.pop() <= 8.0


def test_speeds_follow_the_easy_speed() -> None:
    draft = generate_workout(spec_of(Goal.INTERVALS, 45, easy_speed_kmh=10.0), seed=2)
    intervals = {s.speed_kmh for s in draft.segments if s.label is L.INTERVAL}
    recoveries = {s.speed_kmh for s in draft.segments if s.label is L.RECOVERY}
    assert all(11.8 <= v <= 14.5 for v in intervals)
    assert all(7.8 <= v <= 9.0 for v in recoveries)
    assert all(s.speed_kmh < 10.0 for s in draft.segments if s.label in (L.WARM_UP, L.COOL_DOWN))


def test_extreme_seeds_are_accepted() -> None:
    for seed in (0, MAX_SEED):
        assert generate_workout(spec_of(Goal.FARTLEK), seed=seed).total_duration_s == 45 * 60


# --------------------------------------------------------------------------- spec validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duration_min": 9}, "greater than or equal to 10"),
        ({"duration_min": 181}, "less than or equal to 180"),
        ({"constraints": {"min_speed_kmh": 10.0, "max_speed_kmh": 10.0}}, "min_speed_kmh must be below"),
        ({"constraints": {"min_speed_kmh": 12.0, "max_speed_kmh": 8.0}}, "min_speed_kmh must be below"),
        ({"constraints": {"max_speed_kmh": 12.05}}, "multiples of 0.1 km/h"),
        ({"constraints": {"max_incline_pct": 2.2}}, "multiple of 0.5 %"),
        ({"constraints": {"easy_speed_kmh": 20.0, "max_speed_kmh": 16.0}}, "easy_speed_kmh must lie between"),
        (
            {"duration_min": 30, "constraints": {"warmup_min": 15, "cooldown_min": 11}},
            "must leave at least 5",
        ),
    ],
)
def test_spec_rejects_bad_input_clearly(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WorkoutSpec.model_validate({"duration_min": 45, "goal": "easy", **kwargs})


def test_spec_accepts_exactly_five_minutes_of_main_set() -> None:
    spec = spec_of(Goal.EASY, 30, warmup_min=15, cooldown_min=10)
    draft = generate_workout(spec, seed=1)
    assert seconds(main_set(draft)) == 5 * 60


# ---------------------------------------------------------------- properties: every spec, every seed


@PROPERTY_SETTINGS
@given(spec=specs(), seed=seeds)
def test_total_is_exact_and_durations_positive(spec: WorkoutSpec, seed: int) -> None:
    draft = generate_workout(spec, seed=seed)
    assert draft.total_duration_s == spec.duration_min * 60
    assert all(isinstance(s.duration_s, int) and s.duration_s >= 20 for s in draft.segments)


@PROPERTY_SETTINGS
@given(spec=specs(), seed=seeds)
def test_speeds_and_inclines_are_on_grid_and_in_bounds(spec: WorkoutSpec, seed: int) -> None:
    c = spec.constraints
    for s in generate_workout(spec, seed=seed).segments:
        assert on_grid(s.speed_kmh, SPEED_STEP_KMH), s
        assert c.min_speed_kmh <= s.speed_kmh <= c.max_speed_kmh, s
        assert on_grid(s.incline_pct, INCLINE_STEP_PCT), s
        assert 0.0 <= s.incline_pct <= c.max_incline_pct, s


@PROPERTY_SETTINGS
@given(spec=specs(), seed=seeds)
def test_warm_up_first_cool_down_last_and_easy_framing(spec: WorkoutSpec, seed: int) -> None:
    draft = generate_workout(spec, seed=seed)
    easy = spec.constraints.easy_kmh
    assert draft.segments[0].label is L.WARM_UP
    assert draft.segments[-1].label is L.COOL_DOWN
    assert [s.label for s in draft.segments].count(L.COOL_DOWN) == 1
    assert all(s.speed_kmh <= easy for s in draft.segments if s.label in (L.WARM_UP, L.COOL_DOWN))
    assert seconds(main_set(draft)) >= 4 * 60


@PROPERTY_SETTINGS
@given(spec=specs(), seed=seeds)
def test_neighbours_differ_after_merging(spec: WorkoutSpec, seed: int) -> None:
    segments = generate_workout(spec, seed=seed).segments
    settings_ = [(s.label, s.speed_kmh, s.incline_pct) for s in segments]
    assert all(a != b for a, b in itertools.pairwise(settings_))


@PROPERTY_SETTINGS
@given(spec=specs(), seed=seeds)
def test_same_spec_and_seed_give_the_same_workout(spec: WorkoutSpec, seed: int) -> None:
    assert generate_workout(spec, seed=seed) == generate_workout(spec.model_copy(), seed=seed)


@PROPERTY_SETTINGS
@given(spec=specs())
def test_other_seeds_give_other_workouts(spec: WorkoutSpec) -> None:
    drafts = {generate_workout(spec, seed=seed).model_dump_json() for seed in range(1, 6)}
    assert len(drafts) >= 4


# ---------------------------------------------------------------- properties: goals are recognizable


@PROPERTY_SETTINGS
@given(spec=specs(st.just(Goal.INTERVALS)), seed=seeds)
def test_intervals_alternate_work_and_recovery(spec: WorkoutSpec, seed: int) -> None:
    reps = [s for s in main_set(generate_workout(spec, seed=seed)) if s.label is not L.RUN]
    assert len(reps) >= 4
    assert [s.label for s in reps] == [L.INTERVAL, L.RECOVERY] * (len(reps) // 2)
    assert all(w.speed_kmh >= r.speed_kmh for w, r in zip(reps[::2], reps[1::2], strict=True))


@PROPERTY_SETTINGS
@given(spec=specs(st.just(Goal.HILLS)), seed=seeds)
def test_hills_are_steeper_than_everything_else(spec: WorkoutSpec, seed: int) -> None:
    draft = generate_workout(spec, seed=seed)
    hills = [s for s in draft.segments if s.label is L.HILL]
    others = [s for s in draft.segments if s.label is not L.HILL]
    if spec.constraints.max_incline_pct >= 1.0:
        assert len(hills) >= 2
        assert min(h.incline_pct for h in hills) > max(o.incline_pct for o in others)
    else:
        assert not hills
        assert sum(s.label is L.SURGE for s in draft.segments) >= 2


@PROPERTY_SETTINGS
@given(spec=specs(st.just(Goal.PYRAMID)), seed=seeds)
def test_pyramid_work_rises_then_falls(spec: WorkoutSpec, seed: int) -> None:
    work = [s.duration_s for s in generate_workout(spec, seed=seed).segments if s.label is L.INTERVAL]
    peak = work.index(max(work))
    assert len(work) >= 3
    assert 0 < peak < len(work) - 1
    assert all(a < b for a, b in itertools.pairwise(work[: peak + 1]))
    assert all(a > b for a, b in itertools.pairwise(work[peak:]))
    assert work == work[::-1]


@PROPERTY_SETTINGS
@given(spec=specs(st.just(Goal.PROGRESSION)), seed=seeds)
def test_progression_only_speeds_up(spec: WorkoutSpec, seed: int) -> None:
    speeds = [s.speed_kmh for s in main_set(generate_workout(spec, seed=seed))]
    assert len(speeds) >= 3
    assert speeds == sorted(speeds)
    if spec.constraints.easy_kmh < spec.constraints.max_speed_kmh:
        assert speeds[-1] > speeds[0]


@PROPERTY_SETTINGS
@given(spec=specs(st.just(Goal.TEMPO)), seed=seeds)
def test_tempo_is_mostly_tempo(spec: WorkoutSpec, seed: int) -> None:
    main = main_set(generate_workout(spec, seed=seed))
    tempo = [s for s in main if s.label is L.TEMPO]
    assert 1 <= len(tempo) <= 2
    assert seconds(main, L.TEMPO) >= 0.4 * seconds(main)
    assert all(t.speed_kmh >= s.speed_kmh for t in tempo for s in main)


@PROPERTY_SETTINGS
@given(spec=specs(st.just(Goal.RECOVERY)), seed=seeds)
def test_recovery_stays_easy_and_flat(spec: WorkoutSpec, seed: int) -> None:
    draft = generate_workout(spec, seed=seed)
    assert all(s.speed_kmh <= spec.constraints.easy_kmh for s in draft.segments)
    assert all(s.incline_pct <= 0.5 for s in draft.segments)


@PROPERTY_SETTINGS
@given(spec=specs(st.sampled_from([Goal.EASY, Goal.LONG])), seed=seeds)
def test_easy_and_long_stay_near_easy_speed(spec: WorkoutSpec, seed: int) -> None:
    main = main_set(generate_workout(spec, seed=seed))
    easy = spec.constraints.easy_kmh
    # Nothing quicker than about 1.1 × easy (plus grid rounding), and mostly plain running.
    assert all(s.speed_kmh <= easy * 1.1 + 0.1 for s in main)
    assert all(s.incline_pct <= 2.0 for s in main)
    if spec.goal is Goal.EASY:
        assert seconds(main, L.RUN) >= 0.7 * seconds(main)


@PROPERTY_SETTINGS
@given(spec=specs(st.just(Goal.FARTLEK)), seed=seeds)
def test_fartlek_mixes_surges_into_running(spec: WorkoutSpec, seed: int) -> None:
    main = main_set(generate_workout(spec, seed=seed))
    assert main[0].label is L.RUN
    assert main[-1].label is L.RUN
    surges = [s for s in main if s.label is L.SURGE]
    assert surges
    assert all(s.speed_kmh >= main[0].speed_kmh for s in surges)
    assert seconds(main, L.SURGE) <= 0.4 * seconds(main)


# --------------------------------------------------------------------------- the structured form


def _program(draft: WorkoutDraft) -> list[tuple[str, int, float, float]]:
    return [(s.label.value, s.duration_s, s.speed_kmh, s.incline_pct) for s in draft.segments]


def test_seeds_play_the_program_they_played_before_the_structured_form() -> None:
    # Captured from the flat generator: a runner's saved seed still gives the same session.
    intervals = generate_workout(spec_of(Goal.INTERVALS, 23), seed=3)
    assert intervals.name == "23-min Intervals: 4 × 105 s"
    assert _program(intervals) == [
        ("warm-up", 150, 8.1, 0.5),
        ("warm-up", 150, 8.8, 0.5),
        *[("interval", 105, 13.2, 1.0), ("recovery", 80, 8.3, 0.0)] * 3,
        ("interval", 105, 13.2, 1.0),
        ("recovery", 120, 8.3, 0.0),
        ("cool-down", 300, 8.1, 0.0),
    ]
    # Three identical rounds stay a block; the fourth, with its longer recovery, follows it.
    block = intervals.structure.items[2]
    assert isinstance(block, Repeat) and block.times == 3
    assert [type(item).__name__ for item in intervals.structure.items] == [
        "Step", "Step", "Repeat", "Step", "Step", "Step"
    ]  # fmt: skip
    hills = generate_workout(spec_of(Goal.HILLS, 45), seed=1)
    assert hills.name == "45-min Hills: 10 × 90 s at 3 %"
    assert _program(hills)[2:4] == [("hill", 90, 8.8, 3.0), ("recovery", 90, 8.2, 0.0)]
    [block] = [item for item in hills.structure.items if isinstance(item, Repeat)]
    assert block.times == 10 and [s.label for s in block.steps] == [L.HILL, L.RECOVERY]


@PROPERTY_SETTINGS
@given(specs(st.sampled_from([Goal.INTERVALS, Goal.HILLS])), seeds)
def test_repeats_stay_blocks_and_the_title_counts_every_round(spec: WorkoutSpec, seed: int) -> None:
    draft = generate_workout(spec, seed=seed)
    rounds = int(draft.name.split(": ")[1].split(" × ")[0])
    blocks = [item for item in draft.structure.items if isinstance(item, Repeat)]
    loose_work = [i for i in draft.structure.items if isinstance(i, Step) and i.kind is StepKind.WORK]
    assert sum(b.times for b in blocks) + len(loose_work) == rounds
    # A block holds every round but the last at most, so no set of three or more is left unrolled.
    assert rounds < 3 or (len(blocks) == 1 and blocks[0].times >= rounds - 1)
    assert all([s.kind for s in b.steps] == [StepKind.WORK, StepKind.RECOVERY] for b in blocks)


@PROPERTY_SETTINGS
@given(specs(), seeds)
def test_the_structure_is_what_is_stored_and_compiles_to_the_program(spec: WorkoutSpec, seed: int) -> None:
    draft = generate_workout(spec, seed=seed)
    stored = StructuredWorkout.model_validate_json(draft.structure.model_dump_json())
    assert stored == draft.structure
    assert compile_workout(stored, {}, AS_WRITTEN) == draft.segments
    assert draft.total_duration_s == spec.duration_min * 60
    # Every step names its speed and label, and its zone says the effort behind the label.
    for occurrence in unroll(stored):
        step = occurrence.step
        assert step.speed_kmh is not None and step.label is not None
        assert (step.zone is Zone.EASY) == (step.label in EASY_LABELS)


EASY_LABELS = {L.WARM_UP, L.RUN, L.RECOVERY, L.COOL_DOWN}
