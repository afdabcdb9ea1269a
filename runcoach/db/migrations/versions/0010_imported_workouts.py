"""workouts imported from a file: a source, the file's name, and no generator inputs

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), server_default="generated", nullable=False)
        )
        batch_op.add_column(sa.Column("file_name", sa.String(length=200), nullable=True))
        batch_op.alter_column("goal", existing_type=sa.String(length=32), nullable=True)
        batch_op.alter_column("inputs", existing_type=sa.JSON(), nullable=True)
        batch_op.alter_column("seed", existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    # Imported workouts have no generator inputs: they cannot exist in the older schema.
    op.execute("DELETE FROM workouts WHERE source = 'imported'")
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.alter_column("seed", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("inputs", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("goal", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("file_name")
        batch_op.drop_column("source")
