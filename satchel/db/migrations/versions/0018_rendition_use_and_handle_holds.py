"""renditions remember when they were last served (least-recently-used eviction); freed
public handles are held before anyone else may take them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("derivatives") as batch:
        batch.add_column(sa.Column("used_at", sa.DateTime(), nullable=True))
    op.create_table(
        "handle_holds",
        sa.Column("handle", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=True),
        sa.Column("held_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("handle", name=op.f("pk_handle_holds")),
    )


def downgrade() -> None:
    op.drop_table("handle_holds")
    with op.batch_alter_table("derivatives") as batch:
        batch.drop_column("used_at")
