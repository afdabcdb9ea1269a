"""goals, plans with versions (one current per plan, one active plan per runner), check-ins, and
the planned day a run session plays (such a session has no generated workout)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("feasibility", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_goals_owner_created", "goals", ["owner_id", "created_at"])
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("methodology", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plans_owner_id", "plans", ["owner_id"])
    op.create_index(
        "uq_plans_one_active_per_owner",
        "plans",
        ["owner_id"],
        unique=True,
        sqlite_where=sa.text("archived_at IS NULL"),
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "number", name="uq_plan_versions_plan_number"),
    )
    op.create_index(
        "uq_plan_versions_one_current",
        "plan_versions",
        ["plan_id"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    with op.batch_alter_table("run_sessions", schema=None) as batch_op:
        batch_op.alter_column("workout_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("plan_wid", sa.Integer(), nullable=True))
        batch_op.create_index("ix_run_sessions_plan_id", ["plan_id"])
        batch_op.create_foreign_key(
            "fk_run_sessions_plan_id_plans", "plans", ["plan_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("effort", sa.Integer(), nullable=True),
        sa.Column("soreness", sa.Integer(), nullable=True),
        sa.Column("fatigue", sa.Integer(), nullable=True),
        sa.Column("sleep", sa.Integer(), nullable=True),
        sa.Column("minutes_available", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["run_sessions.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checkins_owner_day", "checkins", ["owner_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_checkins_owner_day", table_name="checkins")
    op.drop_table("checkins")
    with op.batch_alter_table("run_sessions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_run_sessions_plan_id_plans", type_="foreignkey")
        batch_op.drop_index("ix_run_sessions_plan_id")
        batch_op.drop_column("plan_wid")
        batch_op.drop_column("plan_id")
    # Sessions of planned days have no generated workout: they cannot survive the downgrade.
    op.execute("DELETE FROM run_sessions WHERE workout_id IS NULL")
    with op.batch_alter_table("run_sessions", schema=None) as batch_op:
        batch_op.alter_column("workout_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("uq_plan_versions_one_current", table_name="plan_versions")
    op.drop_table("plan_versions")
    op.drop_index("uq_plans_one_active_per_owner", table_name="plans")
    op.drop_index("ix_plans_owner_id", table_name="plans")
    op.drop_table("plans")
    op.drop_index("ix_goals_owner_created", table_name="goals")
    op.drop_table("goals")
