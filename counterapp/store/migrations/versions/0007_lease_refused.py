"""lease refused: why the server last refused this counter's offline numbers (e.g. lease.staff_required:
nobody signed in on it recently), so the status bar and ``counterapp status`` say it instead of the counter
silently running out of numbers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, empty: no refusal is known until the next sync round asks for numbers.
    with op.batch_alter_table("device_meta") as batch:
        batch.add_column(sa.Column("lease_refused", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_meta") as batch:
        batch.drop_column("lease_refused")
