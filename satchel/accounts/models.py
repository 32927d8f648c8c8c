"""Public handles given up (a rename, a deleted account), held before another may take them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from satchel.db.base import Base


class HandleHold(Base):
    """A handle someone gave up; until `held_until` only `user_id` (its last holder, None
    once that account is gone) may take it back, so links to it do not change owner."""

    __tablename__ = "handle_holds"

    handle: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(40))
    held_until: Mapped[datetime]
