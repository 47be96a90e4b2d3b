"""products.updated_at indexed: the live catalog index finds changed products by a window of
these stamps on every catalog change (commerce.live_index)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 04:00:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_updated_at"))
