"""print job error code: the stable code of a print job's last failure (PrinterError.code), so the window
can say why in the clerk's language instead of showing the printer's English reason

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, and left empty for the jobs already recorded: a failure before this release kept only its
    # English text, and a printed job has no error at all.
    with op.batch_alter_table("print_jobs") as batch:
        batch.add_column(sa.Column("last_error_code", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("print_jobs") as batch:
        batch.drop_column("last_error_code")
