"""ticket service heads

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["centre_id", "day", "state", "service_id", "issued_at", "number"]
PRIORITY_ONLY = sa.text("priority IS NOT NULL")


def upgrade() -> None:
    # call-next reads the first regular and the first priority ticket of each service it serves
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_service_queue", COLUMNS, unique=False)
        batch_op.create_index(
            "ix_tickets_priority_queue",
            COLUMNS,
            unique=False,
            sqlite_where=PRIORITY_ONLY,
            postgresql_where=PRIORITY_ONLY,
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_priority_queue")
        batch_op.drop_index("ix_tickets_service_queue")
