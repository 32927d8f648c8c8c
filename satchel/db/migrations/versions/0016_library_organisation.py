"""the library a person organises: folders, favourites, archive, trash, indexed metadata

Every asset gets a folder path (`/` for the top), the favourite and archive flags, the
moment it was trashed (None: not in the trash), and the metadata people search by as
columns with indexes: when it was taken, the camera and lens, the GPS position and the
orientation. Existing rows land in `/`; their metadata columns are filled from what
processing already found (`info`), so nothing needs reprocessing.

Plain ADD COLUMN, never a batch rebuild: rebuilding `assets` on SQLite would drop the
full-text triggers. The backfill is written out here (not imported from the app), so this
revision means the same thing whatever the code becomes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_assets_owner_folder": ("owner_id", "folder", "created_at", "id"),
    "ix_assets_owner_taken": ("owner_id", "taken_at", "id"),
    "ix_assets_owner_camera": ("owner_id", "camera_model", "created_at", "id"),
    "ix_assets_owner_make": ("owner_id", "camera_make", "created_at", "id"),
    "ix_assets_owner_geo": ("owner_id", "latitude", "longitude"),
    "ix_assets_owner_favorite": ("owner_id", "is_favorite", "created_at", "id"),
    "ix_assets_owner_orientation": ("owner_id", "orientation", "created_at", "id"),
    "ix_assets_owner_width": ("owner_id", "width", "id"),
    # Without an owner prefix, for callers who see everyone's files (files:all).
    "ix_assets_taken": ("taken_at", "id"),
    "ix_assets_folder": ("folder", "created_at", "id"),
}
# Only trashed rows: a plain index on trashed_at would be taken by SQLite's planner for
# every listing's `trashed_at IS NULL`, a scan of everything.
_IN_TRASH = sa.text("trashed_at IS NOT NULL")
_INDEXED = (
    "taken_at",
    "camera_make",
    "camera_model",
    "lens",
    "latitude",
    "longitude",
    "orientation",
)


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("folder", sa.String(length=1024), nullable=False, server_default="/"),
        sa.Column("is_favorite", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("is_archived", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("trashed_at", sa.DateTime(), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("camera_make", sa.String(length=100), nullable=True),
        sa.Column("camera_model", sa.String(length=100), nullable=True),
        sa.Column("lens", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("orientation", sa.String(length=10), nullable=True),
    ]


def upgrade() -> None:
    for column in _columns():
        op.add_column("assets", column)
    for name, columns in _INDEXES.items():
        op.create_index(name, "assets", list(columns))
    op.create_index(
        "ix_assets_in_trash",
        "assets",
        ["owner_id", "trashed_at"],
        sqlite_where=_IN_TRASH,
        postgresql_where=_IN_TRASH,
    )
    _backfill()


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _text(value: Any, limit: int) -> str | None:
    return (value.strip()[:limit] or None) if isinstance(value, str) else None


def _values(info: dict[str, Any], width: Any, height: Any, created_at: Any) -> dict[str, Any]:
    gps = info.get("gps") if isinstance(info.get("gps"), dict) else None
    lat = gps.get("latitude") if gps else None
    lon = gps.get("longitude") if gps else None
    if not (isinstance(lat, int | float) and isinstance(lon, int | float)):
        lat = lon = None
    orientation = None
    if width and height:
        orientation = "landscape" if width > height else "portrait" if height > width else "square"
    return {
        "taken_at": _moment(info.get("taken_at")) or _moment(info.get("created")) or created_at,
        "camera_make": _text(info.get("camera_make"), 100),
        "camera_model": _text(info.get("camera_model"), 100),
        "lens": _text(info.get("lens"), 200),
        "latitude": lat,
        "longitude": lon,
        "orientation": orientation,
    }


def _backfill() -> None:
    assets = sa.table(
        "assets",
        sa.column("seq", sa.Integer),
        sa.column("info", sa.JSON),
        sa.column("width", sa.Integer),
        sa.column("height", sa.Integer),
        sa.column("created_at", sa.DateTime),
        *(sa.column(c.name, c.type) for c in _columns() if c.name in _INDEXED),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(assets.c.seq, assets.c.info, assets.c.width, assets.c.height, assets.c.created_at)
    ).all()
    for seq, info, width, height, created_at in rows:
        values = _values(info if isinstance(info, dict) else {}, width, height, created_at)
        bind.execute(sa.update(assets).where(assets.c.seq == seq).values(**values))


def downgrade() -> None:
    op.drop_index("ix_assets_in_trash", table_name="assets")
    for name in _INDEXES:
        op.drop_index(name, table_name="assets")
    for column in reversed(_columns()):
        op.drop_column("assets", column.name)
