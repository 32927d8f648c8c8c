"""resumable uploads (multipart with presigned parts, tus)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resumable_uploads",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("protocol", sa.String(length=10), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("asset_id", sa.String(length=40), nullable=True),
        sa.Column("total_size", sa.BigInteger(), nullable=False),
        sa.Column("part_size", sa.BigInteger(), nullable=True),
        sa.Column("part_count", sa.Integer(), nullable=True),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("client_sha256", sa.String(length=64), nullable=True),
        sa.Column("upload_metadata", sa.JSON(), nullable=False),
        sa.Column("backend_ref", sa.String(length=1024), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("result_asset_id", sa.String(length=40), nullable=True),
        sa.Column("busy_until", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_resumable_uploads_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resumable_uploads")),
    )
    op.create_index(
        "ix_resumable_uploads_expires", "resumable_uploads", ["expires_at"], unique=False
    )
    op.create_index(
        "ix_resumable_uploads_owner", "resumable_uploads", ["owner_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_resumable_uploads_owner", table_name="resumable_uploads")
    op.drop_index("ix_resumable_uploads_expires", table_name="resumable_uploads")
    op.drop_table("resumable_uploads")
