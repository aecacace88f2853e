"""What each call of a ticket was: the caller's own call (`inbound`) or a `callback` leg.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_calls") as batch:
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False,
                                   server_default="inbound"))


def downgrade() -> None:
    with op.batch_alter_table("ticket_calls") as batch:
        batch.drop_column("kind")
