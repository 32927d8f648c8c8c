"""Signing in and out, login throttling, and password changes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from satchel.audit.service import record
from satchel.auth.models import ApiKey, LoginSession, User
from satchel.auth.passwords import hash_password, verify_password
from satchel.auth.service import SESSION_PREFIX, token_hash
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Invalid, Unauthorized
from satchel.ids import new_id
from satchel.ratelimits import attempts

TooManyAttempts = attempts.TooManyAttempts


@dataclass(frozen=True)
class SignedIn:
    token: str
    session: LoginSession
    user: User


def _bad_credentials() -> Unauthorized:
    # One message for an unknown account and a wrong password: neither is revealed.
    return Unauthorized("The username or password is wrong.", code=Code.INVALID_CREDENTIALS)


def _policy(limit: int) -> attempts.Policy:
    return attempts.Policy(
        attempts.SIGN_IN, limit, "Too many failed sign-ins; wait before trying again."
    )


def identifier_taken(session: Session, value: str, *, excluding: str | None = None) -> bool:
    """Whether another account signs in with `value` (usernames and emails are one space)."""
    key = value.strip().lower()
    clash = or_(func.lower(User.username) == key, func.lower(User.email) == key)
    query = select(User.id).where(clash)
    if excluding is not None:
        query = query.where(User.id != excluding)
    return session.scalar(query.limit(1)) is not None


def login(
    session: Session, *, login: str, password: str, ip: str, limit: int, lifetime: timedelta
) -> SignedIn:
    now = utcnow()
    key = login.strip().lower()
    # By username first: an email never shadows someone's username (see `identifier_taken`).
    user = session.scalar(select(User).where(func.lower(User.username) == key)) or session.scalar(
        select(User).where(func.lower(User.email) == key)
    )
    # Failures count against the account whichever identifier named it (username or email).
    subject = f"user:{user.id}" if user is not None else f"name:{key}"
    policy = _policy(limit)
    attempts.check(session, policy, subject=subject, ip=ip)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        attempts.failed(session, policy, subject=subject, ip=ip)
        record(
            session,
            action="LOGIN_FAILED",
            actor_id=user.id if user else None,
            ip=ip,
            target_type="user",
            target_id=user.id if user else None,
            login=key[:100],
        )
        session.commit()
        raise _bad_credentials()
    if user.status != "active":
        session.commit()
        raise _bad_credentials()
    attempts.succeeded(session, policy, subject=subject, ip=ip)
    raw = SESSION_PREFIX + secrets.token_urlsafe(32)
    login_session = LoginSession(
        id=new_id("ses"),
        user_id=user.id,
        token_hash=token_hash(raw),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(login_session)
    record(
        session,
        action="LOGIN_SUCCEEDED",
        actor_id=user.id,
        ip=ip,
        target_type="user",
        target_id=user.id,
    )
    session.commit()
    return SignedIn(raw, login_session, user)


def logout(session: Session, *, session_id: str | None, user_id: str, ip: str | None) -> None:
    if session_id is not None:
        session.execute(delete(LoginSession).where(LoginSession.id == session_id))
    record(session, action="LOGOUT", actor_id=user_id, ip=ip, target_type="user", target_id=user_id)
    session.commit()


def revoke_credentials(session: Session, *, user_id: str, keep_session: str | None) -> None:
    """End every session but `keep_session` and revoke every API key of the user."""
    stmt = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_session is not None:
        stmt = stmt.where(LoginSession.id != keep_session)
    session.execute(stmt)
    session.execute(
        update(ApiKey)
        .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(
    session: Session,
    *,
    user_id: str,
    current: str,
    new: str,
    session_id: str | None,
    ip: str | None,
) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise _bad_credentials()
    if user.password_hash is not None and not verify_password(user.password_hash, current):
        raise Invalid(
            "The current password is wrong.",
            code=Code.INVALID_CREDENTIALS,
            fields=[{"field": "current_password", "message": "wrong"}],
        )
    if new == current:
        raise Invalid(
            "The new password must differ from the current one.",
            fields=[{"field": "new_password", "message": "unchanged"}],
        )
    user.password_hash = hash_password(new)
    user.updated_at = utcnow()
    revoke_credentials(session, user_id=user_id, keep_session=session_id)
    record(
        session,
        action="PASSWORD_CHANGED",
        actor_id=user_id,
        ip=ip,
        target_type="user",
        target_id=user_id,
    )
    session.commit()
