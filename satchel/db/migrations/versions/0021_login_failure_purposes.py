"""login_failures: failed attempts at secrets counted per purpose (sign-in, share password)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
