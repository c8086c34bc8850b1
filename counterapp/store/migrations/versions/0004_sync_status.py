"""sync status: the sync worker's last word on the device row, and the conflicts pulled from the server

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns: a data directory that never synced has no last sync, attempt, error or block.
    with op.batch_alter_table("device_meta") as batch:
        batch.add_column(sa.Column("last_sync_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sync_blocked", sa.String(length=40), nullable=True))
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("op_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )
    op.create_index(op.f("ix_sync_conflicts_op_id"), "sync_conflicts", ["op_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_conflicts_op_id"), table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    with op.batch_alter_table("device_meta") as batch:
        batch.drop_column("sync_blocked")
        batch.drop_column("last_error")
        batch.drop_column("last_attempt_at")
        batch.drop_column("last_sync_at")
