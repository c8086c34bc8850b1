"""search index: FTS5 over diacritic-folded names, codes, ID and phone numbers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import json
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from counterapp.store.search_index import CREATE, TABLE, document, sort_key, write_entry

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(CREATE)
    # Index the dossiers a data directory of the previous version already holds.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT pk, code, received_at, applicant_name, owner, applicant_id_number, applicant_phone FROM dossiers"
        )
    ).fetchall()
    for pk, code, received_at, name, owner, id_number, phone in rows:
        owner_name = json.loads(owner).get("name") if owner else None
        doc = document(code=code, names=[name, owner_name], id_number=id_number, phone=phone)
        write_entry(connection, sort_key(datetime.fromisoformat(received_at), pk), pk, doc)


def downgrade() -> None:
    op.execute(f"DROP TABLE {TABLE}")
