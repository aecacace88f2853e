"""The outbox of changes to mirror into helpdesks, and when a ticket was first announced.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("bridge", sa.String(50), nullable=False),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("bridge", "idempotency_key", name="uq_outbox_bridge_key"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["bridge", "ticket_id", "delivered_at"])
    op.create_table(
        "bridge_links",
        sa.Column("bridge", sa.String(50), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("external_id", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("bridge_links")
    op.drop_index("ix_outbox_pending", "outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("announced_at")
