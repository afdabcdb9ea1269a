"""quick workouts are stored in the structured form (steps and repeat blocks) instead of flat segments

Each existing workout's flat segments become steps with their speed, incline and label, and a run
of identical work/recovery pairs becomes a repeat block again, so an old interval session reads
"6 × (2 min + 1 min)" like a new one. Its program is unchanged: unrolled, the structure gives back
exactly the segments it was made from. The label to kind-and-effort table is frozen here as it was
when this revision was written; the code's own table may change later, this one must not.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: label -> (step kind, zone), as the quick generator writes them.
_EFFORT = {
    "warm-up": ("warmup", "E"),
    "run": ("steady", "E"),
    "steady": ("steady", "M"),
    "tempo": ("work", "T"),
    "interval": ("work", "I"),
    "sprint": ("work", "R"),
    "hill": ("work", "I"),
    "surge": ("work", "I"),
    "recovery": ("recovery", "E"),
    "cool-down": ("cooldown", "E"),
}
_REPEATABLE = {"work", "recovery", "steady"}
#: Bounds of a repeat block at this revision: 2..50 rounds of 1..10 steps.
_MAX_PERIOD = 10
_MAX_TIMES = 50

workouts = sa.table(
    "workouts",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("segments", sa.JSON()),
    sa.column("structure", sa.JSON()),
    sa.column("total_duration_s", sa.Integer()),
)


def _step(segment: dict[str, Any]) -> dict[str, Any]:
    kind, zone = _EFFORT.get(segment["label"], ("steady", "E"))
    return {
        "type": "step",
        "kind": kind,
        "duration_s": int(segment["duration_s"]),
        "distance_m": None,
        "zone": zone,
        "speed_kmh": float(segment["speed_kmh"]),
        "incline_pct": float(segment["incline_pct"]),
        "label": segment["label"],
        "note": None,
    }


def _times(steps: list[dict[str, Any]], start: int, period: int) -> int:
    """How many times steps[start:start+period] repeats back to back from `start`."""
    block = steps[start : start + period]
    times = 1
    while times < _MAX_TIMES and steps[start + times * period : start + (times + 1) * period] == block:
        times += 1
    return times


def fold(segments: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """Flat segments as a structured workout: identical back-to-back blocks become repeats."""
    steps = [_step(s) for s in segments]
    items: list[dict[str, Any]] = []
    i = 0
    while i < len(steps):
        best_period, best_times = 1, 1
        for period in range(2, _MAX_PERIOD + 1):
            block = steps[i : i + period]
            if len(block) < period or any(s["kind"] not in _REPEATABLE for s in block):
                break
            times = _times(steps, i, period)
            # The block covering most steps wins; on a tie the shorter block (it reads simpler).
            if times >= 2 and times * period > best_times * best_period:
                best_period, best_times = period, times
        if best_times >= 2:
            items.append({"type": "repeat", "times": best_times, "steps": steps[i : i + best_period]})
            i += best_times * best_period
        else:
            items.append(steps[i])
            i += 1
    return {"name": (name or "Workout")[:100], "items": items}


def unroll(structure: dict[str, Any]) -> list[dict[str, Any]]:
    """The flat segments of a structure whose steps all carry a duration, a speed and a label."""
    segments = []
    for item in structure["items"]:
        steps = item["steps"] * item["times"] if item["type"] == "repeat" else [item]
        for step in steps:
            segments.append(
                {
                    "label": step.get("label") or "run",
                    "duration_s": step["duration_s"],
                    "speed_kmh": step["speed_kmh"],
                    "incline_pct": step["incline_pct"],
                }
            )
    return segments


def upgrade() -> None:
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("structure", sa.JSON(), nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.select(workouts.c.id, workouts.c.name, workouts.c.segments)).all():
        conn.execute(
            workouts.update().where(workouts.c.id == row.id).values(structure=fold(row.segments, row.name))
        )
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.alter_column("structure", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("segments")
        batch_op.drop_column("total_duration_s")


def downgrade() -> None:
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("segments", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("total_duration_s", sa.Integer(), nullable=True))
    conn = op.get_bind()
    for row in conn.execute(sa.select(workouts.c.id, workouts.c.structure)).all():
        segments = unroll(row.structure)
        total = sum(s["duration_s"] for s in segments)
        conn.execute(
            workouts.update().where(workouts.c.id == row.id).values(segments=segments, total_duration_s=total)
        )
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.alter_column("segments", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("total_duration_s", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("structure")
