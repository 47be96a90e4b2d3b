"""kpis: the turn log and CSAT answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turn_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=64), nullable=False),
        sa.Column("understood", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("cart_quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("turn_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_turn_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_turn_log_customer_id"), ["customer_id"], unique=False)
    op.create_table(
        "csat_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("csat_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csat_responses_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_csat_responses_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("csat_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csat_responses_customer_id"))
        batch_op.drop_index(batch_op.f("ix_csat_responses_at"))
    op.drop_table("csat_responses")
    with op.batch_alter_table("turn_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_turn_log_customer_id"))
        batch_op.drop_index(batch_op.f("ix_turn_log_at"))
    op.drop_table("turn_log")
