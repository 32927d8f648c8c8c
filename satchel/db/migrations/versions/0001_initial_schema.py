"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunk_sums", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assets",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("alt_text", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_assets_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["sha256"], ["blobs.sha256"], name=op.f("fk_assets_sha256_blobs")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_assets")),
        sa.UniqueConstraint("id", name=op.f("uq_assets_id")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assets_owner_created", ["owner_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_assets_owner_filename", ["owner_id", "filename", "id"], unique=False
        )
        batch_op.create_index(
            "ix_assets_owner_sha", ["owner_id", "sha256", "media_type"], unique=False
        )
        batch_op.create_index("ix_assets_owner_size", ["owner_id", "size", "id"], unique=False)
        batch_op.create_index("ix_assets_owner_updated", ["owner_id", "updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assets_sha256"), ["sha256"], unique=False)

    op.create_table(
        "asset_tags",
        sa.Column("asset_seq", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_seq"],
            ["assets.seq"],
            name=op.f("fk_asset_tags_asset_seq_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_seq", "tag", name=op.f("pk_asset_tags")),
    )
    with op.batch_alter_table("asset_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_tags_tag"), ["tag"], unique=False)

    op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("asset_id", sa.String(length=40), nullable=False),
        sa.Column("expected_size", sa.BigInteger(), nullable=False),
        sa.Column("declared_type", sa.String(length=255), nullable=True),
        sa.Column("dedupe", sa.Boolean(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_uploads_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("asset_id", name=op.f("uq_uploads_asset_id")),
    )

    op.create_table(
        "tombstones",
        sa.Column("asset_id", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_tombstones")),
    )
    with op.batch_alter_table("tombstones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tombstones_owner_id"), ["owner_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # Full-text search over what people type into `q`; triggers keep it in step with
        # the assets table inside the same transaction.
        op.execute(
            "CREATE VIRTUAL TABLE assets_fts USING fts5("
            "filename, description, alt_text, tags, content='assets', content_rowid='seq', "
            "tokenize=\"unicode61 remove_diacritics 2 tokenchars '._-'\")"
        )
        cols = "filename, description, alt_text, tags"
        new = "new.filename, new.description, new.alt_text, new.tags"
        old = "old.filename, old.description, old.alt_text, old.tags"
        op.execute(
            f"CREATE TRIGGER assets_fts_ai AFTER INSERT ON assets BEGIN "
            f"INSERT INTO assets_fts(rowid, {cols}) VALUES (new.seq, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER assets_fts_ad AFTER DELETE ON assets BEGIN "
            f"INSERT INTO assets_fts(assets_fts, rowid, {cols}) "
            f"VALUES ('delete', old.seq, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER assets_fts_au AFTER UPDATE OF {cols} ON assets BEGIN "
            f"INSERT INTO assets_fts(assets_fts, rowid, {cols}) "
            f"VALUES ('delete', old.seq, {old}); "
            f"INSERT INTO assets_fts(rowid, {cols}) VALUES (new.seq, {new}); END"
        )


def downgrade() -> None:
    op.drop_table("tombstones")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS assets_fts")
    op.drop_table("uploads")
    with op.batch_alter_table("asset_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_tags_tag"))

    op.drop_table("asset_tags")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_sha256"))
        batch_op.drop_index("ix_assets_owner_updated")
        batch_op.drop_index("ix_assets_owner_size")
        batch_op.drop_index("ix_assets_owner_sha")
        batch_op.drop_index("ix_assets_owner_filename")
        batch_op.drop_index("ix_assets_owner_created")

    op.drop_table("assets")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
    op.drop_table("users")
    op.drop_table("blobs")
