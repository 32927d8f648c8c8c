"""The search index: per asset, the text known about it, its embedding, and perceptual
hashes for near-duplicates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from satchel.db import Base, utcnow


class SearchEntry(Base):
    __tablename__ = "search_index"

    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[str] = mapped_column(String(40), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    # float16 passage embeddings (WordLlama, 256-d), concatenated: one per passage
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    phash: Mapped[str | None] = mapped_column(String(16))
    dhash: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
