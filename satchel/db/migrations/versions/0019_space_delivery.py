"""spaces: delivery options (strip_metadata, allow_download, expires_at) and the link
generation that revokes share links; failed attempts at secrets counted per purpose

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

    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=20), nullable=False, server_default="sign-in")
        )
        batch_op.drop_index("ix_login_failures_username_at")
        batch_op.drop_index("ix_login_failures_ip_at")
        batch_op.create_index(
            "ix_login_failures_purpose_username_at", ["purpose", "username", "at"]
        )
        batch_op.create_index("ix_login_failures_purpose_ip_at", ["purpose", "ip", "at"])
    # Share-password failures were kept under a `space:` subject; they get their purpose.
    op.execute("UPDATE login_failures SET purpose = 'share-password' WHERE username LIKE 'space:%'")


def downgrade() -> None:
    with op.batch_alter_table("login_failures") as batch_op:
        batch_op.drop_index("ix_login_failures_purpose_ip_at")
        batch_op.drop_index("ix_login_failures_purpose_username_at")
        batch_op.create_index("ix_login_failures_ip_at", ["ip", "at"])
        batch_op.create_index("ix_login_failures_username_at", ["username", "at"])
        batch_op.drop_column("purpose")
    with op.batch_alter_table("spaces") as batch_op:
        batch_op.drop_column("generation")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("allow_download")
        batch_op.drop_column("strip_metadata")
