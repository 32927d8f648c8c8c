"""Who is calling: resolving keys and session tokens into a `Principal`; API keys."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from satchel.auth.models import ApiKey, LoginSession, Role, Team, User
from satchel.auth.permissions import BUILTIN_ROLES, SCOPES, expand_scopes
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Forbidden, Invalid, NotFound, Unauthorized
from satchel.ids import new_id

log = logging.getLogger("satchel.auth")

KEY_PREFIX = "sat_"
SESSION_PREFIX = "sst_"
_LAST_USED_EVERY = 60.0  # seconds; a key's last_used_at is refreshed at most this often
_last_used: dict[str, float] = {}


@dataclass(frozen=True)
class Principal:
    """The caller of one request: what its credential allows and what its role allows."""

    user_id: str
    role: str
    scopes: frozenset[str]
    permissions: frozenset[str]
    key_id: str | None = None
    session_id: str | None = None
    via_cookie: bool = False

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def owner_filter(self, all_permission: str) -> str | None:
        """The owner to restrict to, or None when the caller may see everyone's."""
        return None if self.can(all_permission) else self.user_id


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def permissions_for(session: Session, role: str) -> frozenset[str]:
    if role in BUILTIN_ROLES:
        return BUILTIN_ROLES[role][1]
    stored = session.scalar(select(Role.permissions).where(Role.name == role))
    return frozenset(stored or BUILTIN_ROLES["user"][1])


def _unauthorized(message: str = "The key or session is not valid.") -> Unauthorized:
    return Unauthorized(message, code=Code.UNAUTHORIZED)


def authenticate(session: Session, *, token: str | None, via_cookie: bool = False) -> Principal:
    """Resolve a bearer token (API key or session token) into the caller."""
    if not token:
        raise _unauthorized("Send `Authorization: Bearer <key>`.")
    digest = token_hash(token)
    now = utcnow()
    if token.startswith(SESSION_PREFIX):
        row = session.execute(
            select(LoginSession, User)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == digest)
        ).first()
        # Looked up by hash; compared again in constant time all the same.
        if row is None or not hmac.compare_digest(row.LoginSession.token_hash, digest):
            raise _unauthorized()
        if row.LoginSession.expires_at <= now:
            raise _unauthorized("The session has expired; sign in again.")
        user = row.User
        if user.status != "active":
            raise _unauthorized("The account is disabled.")
        return Principal(
            user.id,
            user.role,
            frozenset(SCOPES),
            permissions_for(session, user.role),
            session_id=row.LoginSession.id,
            via_cookie=via_cookie,
        )
    keyrow = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.key_hash == digest)
    ).first()
    if keyrow is None or not hmac.compare_digest(keyrow.ApiKey.key_hash, digest):
        raise _unauthorized()
    key, user = keyrow.ApiKey, keyrow.User
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        raise _unauthorized("The key was revoked or has expired.")
    if user.status != "active":
        raise _unauthorized("The account is disabled.")
    return Principal(
        user.id,
        user.role,
        expand_scopes(list(key.scopes)),
        permissions_for(session, user.role),
        key_id=key.id,
    )


def stamp_key(db: Database, *, key_id: str) -> None:
    """Record that a key was used, at most once a minute, and only if the database's write
    turn is free right now: a best-effort stamp must never make a request wait or fail."""
    now = time.monotonic()
    if now - _last_used.get(key_id, -_LAST_USED_EVERY) < _LAST_USED_EVERY:
        return
    with db.try_write_session() as session:
        if session is None:
            return
        _last_used[key_id] = now
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))
        session.commit()


def require(principal: Principal, *, scope: str | None, permission: str | None) -> None:
    if scope is not None and not principal.has_scope(scope):
        raise Forbidden(f"This needs a key with the `{scope}` scope.", code=Code.INSUFFICIENT_SCOPE)
    if permission is not None and not principal.can(permission):
        raise Forbidden(
            f"Your role does not have the `{permission}` permission.",
            code=Code.INSUFFICIENT_PERMISSION,
        )


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(
    session: Session,
    *,
    user_id: str,
    name: str,
    scopes: list[str],
    raw: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise Invalid(
            "Scopes must be a non-empty subset of read, write, admin.",
            fields=[{"field": "scopes", "message": f"unknown: {unknown}" if unknown else "empty"}],
        )
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid(
            "expires_at is in the past.",
            fields=[{"field": "expires_at", "message": "must be in the future"}],
        )
    raw = raw or generate_key()
    key = ApiKey(
        id=new_id("key"),
        user_id=user_id,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + 6],
        key_hash=token_hash(raw),
        scopes=sorted(set(scopes), key=SCOPES.index),
        expires_at=expires_at,
    )
    session.add(key)
    return key, raw


def list_keys(session: Session, *, owner_id: str | None) -> list[ApiKey]:
    stmt = select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.created_at.desc())
    if owner_id is not None:
        stmt = stmt.where(ApiKey.user_id == owner_id)
    return list(session.scalars(stmt))


def revoke_key(session: Session, *, owner_id: str | None, key_id: str) -> ApiKey:
    """Revoke (idempotently); another user's key is as missing as an unknown one."""
    stmt = select(ApiKey).where(ApiKey.id == key_id)
    if owner_id is not None:
        stmt = stmt.where(ApiKey.user_id == owner_id)
    key = session.scalars(stmt).first()
    if key is None:
        raise NotFound(f"No API key {key_id}.", code=Code.API_KEY_NOT_FOUND)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def bootstrap(session: Session, *, admin_key: str | None) -> str | None:
    """Built-in roles, the default team, the admin user and its key (first start).

    Returns the raw key when one was generated (to be shown once), else None. A configured
    `SATCHEL_ADMIN_API_KEY` is installed as the admin's key on every start, unless it
    was revoked (then it stays revoked, with a warning).
    """
    for name, (description, perms) in BUILTIN_ROLES.items():
        role = session.scalar(select(Role).where(Role.name == name))
        if role is None:
            session.add(
                Role(
                    id=new_id("rol"),
                    name=name,
                    description=description,
                    permissions=sorted(perms),
                    builtin=True,
                )
            )
    team = session.scalar(select(Team).where(Team.is_default.is_(True)))
    if team is None:
        team = Team(id=new_id("tm"), name="Default", is_default=True)
        session.add(team)
        session.flush()
    admin = session.scalars(select(User).where(User.role == "admin").limit(1)).first()
    generated: str | None = None
    if admin is None:
        admin = User(id=new_id("usr"), username="admin", role="admin", team_id=team.id)
        session.add(admin)
        session.flush()
        if admin_key is None:
            _, generated = create_key(session, user_id=admin.id, name="admin", scopes=["admin"])
    if admin_key is not None:
        existing = session.scalar(select(ApiKey).where(ApiKey.key_hash == token_hash(admin_key)))
        if existing is None:
            create_key(
                session,
                user_id=admin.id,
                name="admin (configured)",
                scopes=["admin"],
                raw=admin_key,
            )
        elif existing.revoked_at is not None:
            # A revoked key stays revoked: a restart must not silently undo a revocation
            # (someone revoked it for a reason). The operator configures a new one.
            log.warning(
                "SATCHEL_ADMIN_API_KEY names a revoked key; it stays revoked. "
                "Configure a new admin key."
            )
    session.commit()
    return generated
