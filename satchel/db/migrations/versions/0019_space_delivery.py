"""spaces: delivery options (strip_metadata, allow_download, expires_at) and the link
generation that revokes share links

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("spaces") as batch_op:
        batch_op.add_column(
            sa.Column("strip_metadata", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("allow_download", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("generation", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("spaces") as batch_op:
        batch_op.drop_column("generation")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("allow_download")
        batch_op.drop_column("strip_metadata")
