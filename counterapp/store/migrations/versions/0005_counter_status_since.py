"""counter status since: when this counter's clerk last paused or resumed it (shown beside the pause)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: a counter's status before this release has no known start (nor does one set by the lead).
    with op.batch_alter_table("counters") as batch:
        batch.add_column(sa.Column("status_since", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counters") as batch:
        batch.drop_column("status_since")
