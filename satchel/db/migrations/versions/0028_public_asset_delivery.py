"""assets.public_*: how a public asset goes out to visitors

A public asset was always served stripped of location and camera data, with its
original, for as long as it stayed public. Its owner now chooses, as for a space:
`public_strip_metadata` (on by default), `public_allow_download` (off: previews only)
and `public_expires_at` (after it, visitors get 404; the owner still has it).

Plain ADD COLUMN (no batch rebuild on SQLite: that would drop the facet triggers).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "assets",
        sa.Column("public_strip_metadata", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "assets",
        sa.Column("public_allow_download", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("assets", sa.Column("public_expires_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("assets", "public_expires_at")
    op.drop_column("assets", "public_allow_download")
    op.drop_column("assets", "public_strip_metadata")
