"""Agents' notes (transcript entries without a call) and wrap-up disposition on tickets.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcript_entries") as batch:
        batch.alter_column("call_sid", existing_type=sa.String(64), nullable=True)
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("disposition", sa.String(100), nullable=True))
        batch.add_column(sa.Column("resolved_first_contact", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("resolved_first_contact")
        batch.drop_column("disposition")
    with op.batch_alter_table("transcript_entries") as batch:
        batch.alter_column("call_sid", existing_type=sa.String(64), nullable=False)
