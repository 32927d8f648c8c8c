"""Reading and changing the caller's account."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from satchel.accounts.handles import derive_handle
from satchel.auth.models import User
from satchel.auth.sessions import identifier_taken
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Conflict, NotFound


def _account(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.", code=Code.ACCOUNT_NOT_FOUND)
    return user


def get_account(session: Session, *, user_id: str) -> User:
    user = _account(session, user_id)
    if user.handle is None:
        for _ in range(5):  # another account may claim the same handle at the same moment
            user.handle = derive_handle(session, user)
            try:
                session.commit()
                break
            except IntegrityError:
                session.rollback()
                user = _account(session, user_id)
    return user


def patch_account(session: Session, *, user_id: str, changes: dict[str, Any]) -> User:
    user = _account(session, user_id)
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if changes.get("email") is not None:
        if identifier_taken(session, changes["email"], excluding=user.id):
            raise Conflict("That email belongs to another account.", code=Code.EMAIL_TAKEN)
        user.email = changes["email"].strip().lower()
    user.updated_at = utcnow()
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("That email belongs to another account.", code=Code.EMAIL_TAKEN) from exc
    return get_account(session, user_id=user_id)


def onboard(session: Session, *, user_id: str, display_name: str | None) -> User:
    """Stamp onboarded_at once (idempotent) and optionally set the display name."""
    user = _account(session, user_id)
    if user.onboarded_at is None:
        user.onboarded_at = utcnow()
    if display_name is not None:
        user.display_name = display_name
    session.commit()
    return get_account(session, user_id=user_id)
