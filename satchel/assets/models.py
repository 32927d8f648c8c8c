"""Assets, the blobs they point at, their derivatives, tags and tombstones, and their statuses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from satchel.db import Base, utcnow


class AssetStatus(StrEnum):
    """Where an asset is in its life. Stored as the plain string (a StrEnum equals it)."""

    # Only the view of an announced upload shows it (an id reserved, bytes not accepted
    # yet, see `satchel.uploads`); no asset row ever has it.
    UPLOADING = "uploading"
    PENDING = "pending"  # stored; processing is queued
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"  # processing failed: `failure_code`, `failure_reason`
    QUARANTINED = "quarantined"  # startup repair found the stored bytes missing or damaged


class FailureCode(StrEnum):
    """Why an asset is failed or quarantined: stable codes beside the free-text reason."""

    FILE_CORRUPT = "asset_file_corrupt"  # a decoder could not read the stored bytes
    PROCESSING_FAILED = "processing_failed"
    PROCESSING_TIMED_OUT = "processing_timed_out"
    PROCESSING_CANCELLED = "processing_cancelled"
    PROCESSING_ABANDONED = "processing_abandoned"  # its worker died, or it never ended
    INTEGRITY_MISMATCH = "asset_integrity_mismatch"  # quarantined


class Blob(Base):
    """One stored byte string; any number of assets may point at it."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_sums: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Asset(Base):
    """One stored file of one owner; `status` is an `AssetStatus`."""

    __tablename__ = "assets"
    __table_args__ = (
        Index("ix_assets_owner_created", "owner_id", "created_at", "id"),
        Index("ix_assets_owner_size", "owner_id", "size", "id"),
        Index("ix_assets_owner_filename", "owner_id", "filename", "id"),
        Index("ix_assets_owner_updated", "owner_id", "updated_at"),
        Index("ix_assets_owner_sha", "owner_id", "sha256", "media_type"),
        # Without an owner prefix, for callers who see everyone's files (files:all).
        Index("ix_assets_created", "created_at", "id"),
        Index("ix_assets_size", "size", "id"),
        Index("ix_assets_filename", "filename", "id"),
        # The organised library (folders, flags, trash, searched metadata), migration 0016.
        Index("ix_assets_owner_folder", "owner_id", "folder", "created_at", "id"),
        Index("ix_assets_owner_taken", "owner_id", "taken_at", "id"),
        Index("ix_assets_owner_camera", "owner_id", "camera_model", "created_at", "id"),
        Index("ix_assets_owner_make", "owner_id", "camera_make", "created_at", "id"),
        Index("ix_assets_owner_geo", "owner_id", "latitude", "longitude"),
        # Partial: only trashed rows. A plain index on trashed_at would be taken by SQLite's
        # planner for every listing's `trashed_at IS NULL` (a scan of everything).
        Index(
            "ix_assets_in_trash",
            "owner_id",
            "trashed_at",
            sqlite_where=text("trashed_at IS NOT NULL"),
            postgresql_where=text("trashed_at IS NOT NULL"),
        ),
        Index("ix_assets_owner_favorite", "owner_id", "is_favorite", "created_at", "id"),
        Index("ix_assets_owner_orientation", "owner_id", "orientation", "created_at", "id"),
        Index("ix_assets_owner_width", "owner_id", "width", "id"),
        Index("ix_assets_taken", "taken_at", "id"),
        Index("ix_assets_folder", "folder", "created_at", "id"),
    )

    # `seq` is the row's stable integer key (the full-text index refers to it); `id` is
    # the public identifier.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    alt_text: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # How a public asset goes out to visitors (`/p/…`, anonymous renditions): without its
    # location and camera data unless the owner turns that off, its original only if
    # allowed (else previews only), and not at all after `public_expires_at`.
    public_strip_metadata: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    public_allow_download: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    public_expires_at: Mapped[datetime | None]
    width: Mapped[int | None]
    height: Mapped[int | None]
    duration: Mapped[float | None] = mapped_column(Float)
    pages: Mapped[int | None]
    # What processing found: normalized keys, and the raw metadata as extracted.
    info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failure_code: Mapped[str | None] = mapped_column(String(40))  # a FailureCode
    failure_reason: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]
    # Versions: every version of a file is an asset of its own. `root_id` is the first
    # version's id (None on a first version), `version` counts from 1 along the chain.
    root_id: Mapped[str | None] = mapped_column(String(40), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Signed links name it; `POST /assets/{id}/links/revoke` bumps it (older links stop).
    link_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Where the bytes (original and derivatives) live: None for managed storage, else the
    # id of the owner's storage connection (satchel.storage).
    store: Mapped[str | None] = mapped_column(String(40))
    # Where the owner keeps it: a folder path, `/` or `/album/sub` (`satchel.assets.folders`).
    folder: Mapped[str] = mapped_column(String(1024), default="/", server_default="/")
    is_favorite: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # In the trash since then (None: not trashed); invisible to every read but the trash's.
    trashed_at: Mapped[datetime | None]
    # What people search by, indexed from `info` (`satchel.assets.indexing`).
    taken_at: Mapped[datetime | None]
    camera_make: Mapped[str | None] = mapped_column(String(100))
    camera_model: Mapped[str | None] = mapped_column(String(100))
    lens: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    orientation: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    blob: Mapped[Blob | None] = relationship(lazy="joined")
    derivatives: Mapped[list[Derivative]] = relationship(
        lazy="selectin", order_by="Derivative.kind", viewonly=True
    )


class Derivative(Base):
    """A file made from an asset (thumbnail, preview, text, waveform), owned by it."""

    __tablename__ = "derivatives"

    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]  # renditions: last served (coarsely), for LRU eviction

    blob: Mapped[Blob] = relationship(lazy="joined")


class AssetTag(Base):
    """One row per tag of an asset, so `tag=` filters use an index."""

    __tablename__ = "asset_tags"

    asset_seq: Mapped[int] = mapped_column(
        ForeignKey("assets.seq", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class AssetFacet(Base):
    """How many of an owner's assets in the default view (not trashed, not archived) have
    one facet value: `total`, `kind`, `month` taken (`YYYY-MM`), `camera` (model, with its
    `make`), `orientation`, `tag`, `location`. Kept by triggers (migration 0020)."""

    __tablename__ = "asset_facets"

    owner_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    make: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


class Tombstone(Base):
    """A deleted asset: its id is never reused and a repeated delete stays harmless."""

    __tablename__ = "tombstones"

    asset_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(40), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)


def live() -> ColumnElement[bool]:
    """Not in the trash: every read but the trash's own adds this (trashed is invisible)."""
    return Asset.trashed_at.is_(None)


def shown_to_visitors() -> ColumnElement[bool]:
    """Public, and its public life not over (`public_expires_at`)."""
    return Asset.is_public.is_(True) & (
        Asset.public_expires_at.is_(None) | (Asset.public_expires_at > utcnow())
    )


def is_shown_to_visitors(asset: Asset) -> bool:
    """`shown_to_visitors` for a loaded asset."""
    ends = asset.public_expires_at
    return bool(asset.is_public) and (ends is None or ends > utcnow())
