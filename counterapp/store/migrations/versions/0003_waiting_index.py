"""waiting-ticket indexes: today's waiting tickets (and the priority ones) in issue order, for call-next

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_queue")
        batch.create_index(
            "ix_tickets_waiting", ["issued_on", "state", "issued_at", "number", "priority", "service_code"]
        )
        batch.create_index(
            "ix_tickets_waiting_priority",
            ["issued_on", "state", "issued_at", "number", "service_code"],
            sqlite_where=sa.text("priority IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_waiting_priority")
        batch.drop_index("ix_tickets_waiting")
        batch.create_index("ix_tickets_queue", ["state", "service_code", "issued_at"])
