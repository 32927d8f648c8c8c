"""Indexes for listing everyone's assets (files:all) by size and by name

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_assets_size", "assets", ["size", "id"])
    op.create_index("ix_assets_filename", "assets", ["filename", "id"])


def downgrade() -> None:
    op.drop_index("ix_assets_filename", "assets")
    op.drop_index("ix_assets_size", "assets")
