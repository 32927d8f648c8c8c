"""Spaces and what is published in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from satchel.db import Base, utcnow


class Space(Base):
    __tablename__ = "spaces"
    __table_args__ = (Index("ix_spaces_owner_created", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    short_id: Mapped[str] = mapped_column(String(16), unique=True)  # the share URL's id
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(20), default="private")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    cover_asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    # Delivery to visitors: originals without location and camera data, originals at all,
    # and when the share stops working.
    strip_metadata: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    allow_download: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    expires_at: Mapped[datetime | None]
    # Bumped when who may see what changes: links signed for an older generation stop.
    generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_asset", "asset_id"),)

    space_id: Mapped[str] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
