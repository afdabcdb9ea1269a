"""the treadmill console a run session was created for (unit and calibration), NULL for older ones

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable with no default: an existing session keeps showing its speeds as it always did.
    with op.batch_alter_table("run_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("console", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_sessions", schema=None) as batch_op:
        batch_op.drop_column("console")
