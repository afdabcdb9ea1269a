"""sign-in hardening: the client address and outcome of each attempt; disabled accounts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("outcome", sa.String(length=16), server_default="failed", nullable=False)
        )
    op.execute("UPDATE login_attempts SET outcome = 'succeeded' WHERE succeeded")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("succeeded")
        batch_op.create_index("ix_login_attempts_address_at", ["address", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_address_at")
        batch_op.add_column(sa.Column("succeeded", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE login_attempts SET succeeded = (outcome = 'succeeded')")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("outcome")
        batch_op.drop_column("address")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
