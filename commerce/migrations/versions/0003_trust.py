"""trust: staff roles and revocation, the staff audit log, voice PIN and spending limits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 21:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_audit_at"), ["at"], unique=False)
    with op.batch_alter_table("staff_keys", schema=None) as batch_op:
        # Keys made before roles existed keep what they could do: everything.
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="admin")
        )
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("pin_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("pin_locked_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("order_limit_cents", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("daily_limit_cents", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("daily_limit_cents")
        batch_op.drop_column("order_limit_cents")
        batch_op.drop_column("pin_locked_until")
        batch_op.drop_column("pin_failures")
        batch_op.drop_column("pin_hash")
    with op.batch_alter_table("staff_keys", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("role")
    with op.batch_alter_table("staff_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_audit_at"))
    op.drop_table("staff_audit")
