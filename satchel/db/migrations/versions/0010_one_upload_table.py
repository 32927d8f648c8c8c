"""one upload table for every protocol; announced uploads reserve their asset id

The signed-PUT `uploads` table and `resumable_uploads` (multipart, tus) become one
`uploads` table, and an announced upload no longer has an asset row (status `uploading`)
until its bytes are accepted: the row reserves the asset id and holds the asset's file
name, declared type and fields. Uploads in progress are carried over (their pending asset
rows become reservations), so a client can still finish them. Assets get `failure_code`,
a stable code beside the free-text `failure_reason`.

Portable on purpose (SQLite today, PostgreSQL later): rows are moved with SQLAlchemy Core
statements, tables are created and dropped, never rebuilt in place.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_FIELDS = ("description", "alt_text", "tags", "attributes", "is_public")

_assets = sa.table(
    "assets",
    sa.column("seq", sa.Integer),
    sa.column("id", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("sha256", sa.String),
    sa.column("size", sa.BigInteger),
    sa.column("filename", sa.String),
    sa.column("media_type", sa.String),
    sa.column("kind", sa.String),
    sa.column("status", sa.String),
    sa.column("description", sa.Text),
    sa.column("alt_text", sa.Text),
    sa.column("tags", sa.JSON),
    sa.column("attributes", sa.JSON),
    sa.column("is_public", sa.Boolean),
    sa.column("store", sa.String),
    sa.column("version", sa.Integer),
    sa.column("info", sa.JSON),
    sa.column("raw_metadata", sa.JSON),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)
_failures = sa.table("assets", sa.column("status", sa.String), sa.column("failure_code", sa.String))
_asset_tags = sa.table(
    "asset_tags", sa.column("asset_seq", sa.Integer), sa.column("tag", sa.String)
)
_put_uploads = sa.table(
    "uploads",
    sa.column("id", sa.String),
    sa.column("asset_id", sa.String),
    sa.column("expected_size", sa.BigInteger),
    sa.column("declared_type", sa.String),
    sa.column("dedupe", sa.Boolean),
    sa.column("sha256", sa.String),
    sa.column("expires_at", sa.DateTime),
    sa.column("created_at", sa.DateTime),
)
_resumable = sa.table(
    "resumable_uploads",
    sa.column("id", sa.String),
    sa.column("protocol", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("asset_id", sa.String),
    sa.column("total_size", sa.BigInteger),
    sa.column("part_size", sa.BigInteger),
    sa.column("part_count", sa.Integer),
    sa.column("offset", sa.BigInteger),
    sa.column("client_sha256", sa.String),
    sa.column("upload_metadata", sa.JSON),
    sa.column("backend_ref", sa.String),
    sa.column("state", sa.String),
    sa.column("result_asset_id", sa.String),
    sa.column("busy_until", sa.DateTime),
    sa.column("expires_at", sa.DateTime),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)


_uploads = sa.table(
    "uploads",
    sa.column("id", sa.String),
    sa.column("protocol", sa.String),
    sa.column("state", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("asset_id", sa.String),
    sa.column("filename", sa.String),
    sa.column("declared_type", sa.String),
    sa.column("fields", sa.JSON),
    sa.column("dedupe", sa.Boolean),
    sa.column("store", sa.String),
    sa.column("total_size", sa.BigInteger),
    sa.column("part_size", sa.BigInteger),
    sa.column("part_count", sa.Integer),
    sa.column("offset", sa.BigInteger),
    sa.column("sha256", sa.String),
    sa.column("client_sha256", sa.String),
    sa.column("upload_metadata", sa.JSON),
    sa.column("backend_ref", sa.String),
    sa.column("result_asset_id", sa.String),
    sa.column("busy_until", sa.DateTime),
    sa.column("expires_at", sa.DateTime),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)


def _create_uploads() -> sa.Table:
    return op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("protocol", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("owner_id", sa.String(length=40), nullable=False),
        sa.Column("asset_id", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("declared_type", sa.String(length=255), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("dedupe", sa.Boolean(), nullable=False),
        sa.Column("store", sa.String(length=40), nullable=True),
        sa.Column("total_size", sa.BigInteger(), nullable=False),
        sa.Column("part_size", sa.BigInteger(), nullable=True),
        sa.Column("part_count", sa.Integer(), nullable=True),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("client_sha256", sa.String(length=64), nullable=True),
        sa.Column("upload_metadata", sa.JSON(), nullable=False),
        sa.Column("backend_ref", sa.String(length=1024), nullable=True),
        sa.Column("result_asset_id", sa.String(length=40), nullable=True),
        sa.Column("busy_until", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_uploads_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("asset_id", name=op.f("uq_uploads_asset_id")),
    )


def upgrade() -> None:
    conn = op.get_bind()
    # Uploads in progress are few; read them whole, then rebuild the table from them.
    puts = {r.id: r for r in conn.execute(sa.select(_put_uploads))}
    resumables = list(conn.execute(sa.select(_resumable)))
    pending = {
        r.id: r for r in conn.execute(sa.select(_assets).where(_assets.c.status == "uploading"))
    }
    rows: list[dict[str, Any]] = []
    for r in resumables:  # each had a PUT-shaped row of the same id (its declared type)
        put = puts.pop(r.id, None)
        asset = pending.get(r.asset_id) if r.asset_id else None
        if r.state != "done" and asset is None:
            continue  # its pending asset is gone: nothing could become of it
        rows.append(
            _row(
                r.id,
                r.protocol,
                asset,
                put,
                owner_id=r.owner_id,
                asset_id=r.asset_id or r.result_asset_id or r.id,
                state="done" if r.state == "done" else "open",
                sha256=put.sha256 if put is not None and r.state != "done" else None,
                total_size=r.total_size,
                part_size=r.part_size,
                part_count=r.part_count,
                offset=r.offset,
                client_sha256=r.client_sha256,
                upload_metadata=r.upload_metadata or {},
                backend_ref=r.backend_ref,
                result_asset_id=r.result_asset_id,
                busy_until=r.busy_until,
                expires_at=r.expires_at,
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
        )
    for put in puts.values():  # signed single PUTs
        asset = pending.get(put.asset_id)
        if asset is None:
            continue
        rows.append(
            _row(
                put.id,
                "put",
                asset,
                put,
                owner_id=asset.owner_id,
                asset_id=asset.id,
                state="open",
                total_size=put.expected_size,
                offset=put.expected_size if put.sha256 else 0,
                sha256=put.sha256,
                expires_at=put.expires_at,
                created_at=put.created_at,
                updated_at=put.created_at,
            )
        )

    op.drop_table("uploads")
    op.drop_index("ix_resumable_uploads_owner", table_name="resumable_uploads")
    op.drop_index("ix_resumable_uploads_expires", table_name="resumable_uploads")
    op.drop_table("resumable_uploads")
    # The pending assets become reservations: their rows go (the full-text triggers
    # follow; a pending asset has no derivatives, jobs or references yet).
    seqs = [a.seq for a in pending.values()]
    if seqs:
        conn.execute(sa.delete(_asset_tags).where(_asset_tags.c.asset_seq.in_(seqs)))
        conn.execute(sa.delete(_assets).where(_assets.c.seq.in_(seqs)))
    table = _create_uploads()
    op.create_index("ix_uploads_expires", "uploads", ["expires_at"], unique=False)
    op.create_index("ix_uploads_owner", "uploads", ["owner_id", "created_at"], unique=False)
    if rows:
        op.bulk_insert(table, rows)

    with op.batch_alter_table("assets") as batch_op:
        batch_op.add_column(sa.Column("failure_code", sa.String(length=40), nullable=True))
    for status, code in (
        ("failed", "processing_failed"),
        ("quarantined", "asset_integrity_mismatch"),
    ):
        conn.execute(
            sa.update(_failures).where(_failures.c.status == status).values(failure_code=code)
        )


def _row(upload_id: str, protocol: str, asset: Any, put: Any, **values: Any) -> dict[str, Any]:
    """A row of the new table; the asset's own fields come from its pending asset row."""
    row: dict[str, Any] = {
        "id": upload_id,
        "protocol": protocol,
        "filename": asset.filename if asset is not None else "upload.bin",
        "declared_type": put.declared_type if put is not None else None,
        "fields": {k: getattr(asset, k) for k in _FIELDS} if asset is not None else {},
        "dedupe": bool(put.dedupe) if put is not None else True,
        "store": asset.store if asset is not None else None,
        "part_size": None,
        "part_count": None,
        "sha256": None,
        "client_sha256": None,
        "upload_metadata": {},
        "backend_ref": None,
        "result_asset_id": None,
        "busy_until": None,
    }
    row.update(values)
    return row


def downgrade() -> None:
    """Back to two tables; open uploads get their pending asset rows back."""
    conn = op.get_bind()
    rows = list(conn.execute(sa.select(_uploads)))
    with op.batch_alter_table("assets") as batch_op:
        batch_op.drop_column("failure_code")
    op.drop_index("ix_uploads_owner", table_name="uploads")
    op.drop_index("ix_uploads_expires", table_name="uploads")
    op.drop_table("uploads")
    put_table = op.create_table(
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
    resumable_table = op.create_table(
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
    for r in rows:
        is_open = r.state == "open"
        if is_open:
            fields = r.fields or {}
            conn.execute(
                sa.insert(_assets).values(
                    id=r.asset_id,
                    owner_id=r.owner_id,
                    sha256=r.sha256,
                    size=r.total_size,
                    filename=r.filename,
                    media_type=r.declared_type or "application/octet-stream",
                    kind="other",
                    status="uploading",
                    description=fields.get("description"),
                    alt_text=fields.get("alt_text"),
                    tags=fields.get("tags") or [],
                    attributes=fields.get("attributes") or {},
                    is_public=bool(fields.get("is_public")),
                    store=r.store,
                    version=1,
                    info={},
                    raw_metadata={},
                    created_at=r.created_at,
                    updated_at=r.updated_at,
                )
            )
            seq = conn.scalar(sa.select(_assets.c.seq).where(_assets.c.id == r.asset_id))
            tags = fields.get("tags") or []
            if tags:
                conn.execute(sa.insert(_asset_tags), [{"asset_seq": seq, "tag": t} for t in tags])
            op.bulk_insert(
                put_table,
                [
                    {
                        "id": r.id,
                        "asset_id": r.asset_id,
                        "expected_size": r.total_size,
                        "declared_type": r.declared_type,
                        "dedupe": bool(r.dedupe),
                        "sha256": r.sha256,
                        "expires_at": r.expires_at,
                        "created_at": r.created_at,
                    }
                ],
            )
        if r.protocol != "put":
            op.bulk_insert(
                resumable_table,
                [
                    {
                        "id": r.id,
                        "protocol": r.protocol,
                        "owner_id": r.owner_id,
                        "asset_id": r.asset_id,
                        "total_size": r.total_size,
                        "part_size": r.part_size,
                        "part_count": r.part_count,
                        "offset": r.offset,
                        "client_sha256": r.client_sha256,
                        "upload_metadata": r.upload_metadata or {},
                        "backend_ref": r.backend_ref,
                        "state": r.state,
                        "result_asset_id": r.result_asset_id,
                        "busy_until": r.busy_until,
                        "expires_at": r.expires_at,
                        "created_at": r.created_at,
                        "updated_at": r.updated_at,
                    }
                ],
            )
