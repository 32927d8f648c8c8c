"""The reference graph: every durable place that points at an asset."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from satchel.db import Base, utcnow


class AssetReference(Base):
    """One place that points at an asset.

    `hard`: the place breaks without the asset's bytes, so the asset cannot be deleted
    while it exists. `soft`: the place copes (it is told, or it skips), so it does not block.
    Domains and their kind, as of now (later capabilities add theirs in the same table):

    | domain | role | hard | why |
    | --- | --- | --- | --- |
    | jobs | input | no | a queued or running job skips an asset deleted meanwhile |
    | pins | pinned | yes | an explicit hold (retention, legal) set through the service |
    """

    __tablename__ = "asset_references"
    __table_args__ = (
        Index("ix_asset_references_asset", "asset_id"),
        Index("ix_asset_references_owner", "domain", "owner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[str] = mapped_column(String(100))  # the referring thing's id
    role: Mapped[str] = mapped_column(String(40))
    hard: Mapped[bool] = mapped_column(Boolean)
    parent_id: Mapped[str | None] = mapped_column(String(100))
    detail_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
