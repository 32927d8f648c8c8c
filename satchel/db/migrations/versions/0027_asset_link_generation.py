"""assets.link_generation: signed links to an asset name it; revoking bumps it

Links the owner hands out (`GET /assets/{id}/url`, the derivative links of the asset's
JSON) were valid until they expired, up to `SATCHEL_SIGNED_URL_MAX_SECONDS`, whatever
the owner did. `POST /assets/{id}/links/revoke` now bumps this number, and every link
signed under an older one stops working at once. Links signed before this migration
name generation 0 and keep working until they expire or are revoked.

Plain ADD COLUMN (no batch rebuild on SQLite: that would drop the facet triggers).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "assets",
        sa.Column("link_generation", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("assets", "link_generation")
