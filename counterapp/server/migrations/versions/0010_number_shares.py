"""fair shares of offline numbers: centre policy, range alarms, use indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ISSUED_ONLY = sa.text("kind = 'issued'")
POLICY = (  # column, default: server defaults fill existing centres with the shipped policy
    ("lease_multiple", "2"),
    ("lease_floor_dossier", "50"),
    ("lease_ceiling_dossier", "300"),
    ("lease_floor_ticket", "5"),
    ("lease_ceiling_ticket", "30"),
    ("lease_staff_days", "7"),
)


def upgrade() -> None:
    with op.batch_alter_table("centres", schema=None) as batch_op:
        for name, default in POLICY:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default=default, nullable=False))
    op.create_table(
        "number_alarms",
        sa.Column("centre_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("range", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_number_alarms_centre_id_centres")),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_number_alarms_device_id_devices")),
        sa.PrimaryKeyConstraint("centre_id", "kind", "scope", "day", "range", "level", name=op.f("pk_number_alarms")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index("ix_dossiers_device_code", ["device_id", "code"], unique=False)
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_events_issued_by",
            ["device_id", "at"],
            unique=False,
            sqlite_where=ISSUED_ONLY,
            postgresql_where=ISSUED_ONLY,
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_events_issued_by")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index("ix_dossiers_device_code")
    op.drop_table("number_alarms")
    with op.batch_alter_table("centres", schema=None) as batch_op:
        for name, _default in reversed(POLICY):
            batch_op.drop_column(name)
