"""storage connections (bring your own bucket), and where each asset's bytes live

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storage_connections",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("endpoint_url", sa.String(length=1000), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("bucket", sa.String(length=255), nullable=False),
        sa.Column("prefix", sa.String(length=500), nullable=False),
        sa.Column("access_key_hint", sa.String(length=40), nullable=False),
        sa.Column("credentials", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_storage_connections_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_connections")),
    )
    op.create_index(
        "ix_storage_connections_owner",
        "storage_connections",
        ["owner_id", "created_at"],
        unique=False,
    )
    # Plain ADD COLUMN (no batch rebuild): rebuilding `assets` would drop its FTS triggers.
    op.add_column("assets", sa.Column("store", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch_op:
        batch_op.drop_column("store")
    op.drop_index("ix_storage_connections_owner", table_name="storage_connections")
    op.drop_table("storage_connections")
