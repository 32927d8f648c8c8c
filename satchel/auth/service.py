"""Authenticating bearer keys and creating the first admin."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from satchel.auth.models import ApiKey, User
from satchel.db import utcnow
from satchel.errors import Forbidden, Unauthorized
from satchel.ids import new_id

SCOPES = ("read", "write", "admin")  # each includes the ones before it
KEY_PREFIX = "sat_"
_LAST_USED_EVERY = 60.0  # seconds; a key's last_used_at is refreshed at most this often


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    user_id: str
    role: str
    scopes: frozenset[str]
    key_id: str | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


def expand_scopes(scopes: list[str]) -> frozenset[str]:
    """Higher scopes include lower ones: admin ⊇ write ⊇ read."""
    top = max((SCOPES.index(s) for s in scopes if s in SCOPES), default=-1)
    return frozenset(SCOPES[: top + 1])


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


_last_used: dict[str, float] = {}


def authenticate(session: Session, *, token: str | None) -> Principal:
    if not token:
        raise Unauthorized("Send `Authorization: Bearer <key>`.", code="unauthorized")
    digest = hash_key(token)
    row = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key_hash == digest)
    ).first()
    # The lookup is by hash; compare again in constant time so no timing tells how close a
    # guess came.
    if row is None or not hmac.compare_digest(row.ApiKey.key_hash, digest):
        raise Unauthorized("The key is not valid.", code="unauthorized")
    key, user = row.ApiKey, row.User
    now = utcnow()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        raise Unauthorized("The key was revoked or has expired.", code="unauthorized")
    if time.monotonic() - _last_used.get(key.id, -_LAST_USED_EVERY) >= _LAST_USED_EVERY:
        _last_used[key.id] = time.monotonic()
        key.last_used_at = now
        session.commit()
    return Principal(user.id, user.role, expand_scopes(list(key.scopes)), key.id)


def require_scope(principal: Principal, scope: str) -> None:
    if not principal.has_scope(scope):
        raise Forbidden(f"This needs a key with the `{scope}` scope.", code="insufficient_scope")


def create_key(
    session: Session,
    *,
    user_id: str,
    name: str,
    scopes: list[str],
    raw: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    raw = raw or generate_key()
    key = ApiKey(
        id=new_id("key"),
        user_id=user_id,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(raw),
        scopes=scopes,
        expires_at=expires_at,
    )
    session.add(key)
    return key, raw


def ensure_admin(session: Session, *, admin_key: str | None) -> str | None:
    """Create the admin user and its key at first start.

    Returns the raw key when one was generated (to be shown once), else None. A configured
    `SATCHEL_ADMIN_API_KEY` is (re)installed as the admin's key on every start.
    """
    admin = session.scalars(select(User).where(User.role == "admin").limit(1)).first()
    generated: str | None = None
    if admin is None:
        admin = User(id=new_id("usr"), username="admin", role="admin")
        session.add(admin)
        session.flush()
        if admin_key is None:
            _, generated = create_key(session, user_id=admin.id, name="admin", scopes=["admin"])
    if admin_key is not None:
        existing = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(admin_key)))
        if existing.first() is None:
            create_key(
                session,
                user_id=admin.id,
                name="admin (configured)",
                scopes=["admin"],
                raw=admin_key,
            )
    session.commit()
    return generated
