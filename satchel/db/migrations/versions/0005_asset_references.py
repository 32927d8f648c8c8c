"""asset references

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asset_references",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=40), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("hard", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sa.String(length=100), nullable=True),
        sa.Column("detail_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_references_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_references")),
    )
    with op.batch_alter_table("asset_references", schema=None) as batch_op:
        batch_op.create_index("ix_asset_references_asset", ["asset_id"], unique=False)
        batch_op.create_index("ix_asset_references_owner", ["domain", "owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("asset_references", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_references_owner")
        batch_op.drop_index("ix_asset_references_asset")

    op.drop_table("asset_references")
