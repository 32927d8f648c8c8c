"""saved pipelines, and asset versions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipelines",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_pipelines_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipelines")),
    )
    op.create_index(
        "ix_pipelines_owner_created", "pipelines", ["owner_id", "created_at"], unique=False
    )
    # Plain ADD COLUMN (no batch rebuild): rebuilding `assets` would drop its FTS triggers.
    op.add_column("assets", sa.Column("root_id", sa.String(length=40), nullable=True))
    op.add_column("assets", sa.Column("parent_id", sa.String(length=40), nullable=True))
    op.add_column("assets", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_index(op.f("ix_assets_root_id"), "assets", ["root_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_assets_root_id"), table_name="assets")
    with op.batch_alter_table("assets") as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("root_id")
    op.drop_index("ix_pipelines_owner_created", table_name="pipelines")
    op.drop_table("pipelines")
