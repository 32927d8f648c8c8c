"""AI results, skill executions and the search index (text, embeddings, perceptual hashes)

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_results",
        sa.Column("asset_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("skill_name", sa.String(length=40), nullable=False),
        sa.Column("payload_json", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_ai_results_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", "kind", name=op.f("pk_ai_results")),
    )
    op.create_table(
        "skill_executions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("skill_name", sa.String(length=40), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_skill_executions_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_skill_executions")),
    )
    for column in ("asset_id", "owner_id", "skill_name"):
        op.create_index(
            op.f(f"ix_skill_executions_{column}"), "skill_executions", [column], unique=False
        )
    op.create_table(
        "search_index",
        sa.Column("asset_id", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("phash", sa.String(length=16), nullable=True),
        sa.Column("dhash", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_search_index_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_search_index")),
    )
    op.create_index(op.f("ix_search_index_owner_id"), "search_index", ["owner_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_search_index_owner_id"), table_name="search_index")
    op.drop_table("search_index")
    for column in ("asset_id", "owner_id", "skill_name"):
        op.drop_index(op.f(f"ix_skill_executions_{column}"), table_name="skill_executions")
    op.drop_table("skill_executions")
    op.drop_table("ai_results")
