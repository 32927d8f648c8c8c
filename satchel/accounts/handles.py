"""Public handles: made from the username (never from an email nobody verified), and held
for a while after they are given up, so a link to /u/<handle> never silently changes owner.

Holding is wired to the `User` model itself (a handle change or an account's deletion,
from whichever service), so no path frees a handle at once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session

from satchel.accounts.models import HandleHold
from satchel.auth.models import User
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Conflict

HOLD = timedelta(days=30)  # how long a given-up handle stays with its last holder
MAX_HANDLE = 30
_HANDLE_CHARS = re.compile(r"[^a-z0-9_-]+")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def held_from(session: Session, handle: str, user_id: str | None) -> HandleHold | None:
    """The hold that keeps `handle` from `user_id` (None when it may take it)."""
    with session.no_autoflush:
        hold = session.get(HandleHold, handle)
    if hold is None or hold.user_id == user_id or _aware(hold.held_until) <= utcnow():
        return None
    return hold


def derive_handle(session: Session, user: User) -> str:
    """A free handle from the username (its part before any `@`): an email is the
    user's to claim, not proof they own that name."""
    source = user.username.split("@", 1)[0].lower()
    base = _HANDLE_CHARS.sub("-", source).strip("-_")[:MAX_HANDLE] or "user"
    candidate, n = base, 1
    while session.scalar(
        select(User.id).where(User.handle == candidate, User.id != user.id)
    ) or held_from(session, candidate, user.id):
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_HANDLE - len(suffix)] + suffix
    return candidate


@event.listens_for(User.handle, "set", active_history=True)
def _handle_changed(target: User, value: Any, oldvalue: Any, _initiator: Any) -> None:
    session = object_session(target)
    if session is None or value == oldvalue:
        return
    if isinstance(value, str):
        hold = held_from(session, value, target.id)
        if hold is not None:
            raise Conflict(
                "That handle is taken (it was given up recently and is held until "
                f"{_aware(hold.held_until):%Y-%m-%d}).",
                code=Code.HANDLE_TAKEN,
            )
        with session.no_autoflush:
            stale = session.get(HandleHold, value)
        if stale is not None:  # expired, or the user's own: taken back
            session.delete(stale)
    if isinstance(oldvalue, str):
        with session.no_autoflush:
            hold = session.get(HandleHold, oldvalue)
        if hold is None:
            hold = HandleHold(handle=oldvalue)
            session.add(hold)
        hold.user_id, hold.held_until = target.id, utcnow() + HOLD


@event.listens_for(User, "before_delete")
def _account_deleted(_mapper: Mapper[User], connection: Connection, target: User) -> None:
    """A deleted account's handle is held for nobody until the hold ends."""
    if target.handle is None:
        return
    connection.execute(delete(HandleHold).where(HandleHold.handle == target.handle))
    connection.execute(
        insert(HandleHold).values(handle=target.handle, user_id=None, held_until=utcnow() + HOLD)
    )
