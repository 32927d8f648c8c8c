"""First run: the admin's password is set once, from loopback or with an admin key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from satchel.audit.service import record
from satchel.auth.models import User
from satchel.auth.passwords import hash_password
from satchel.auth.service import authenticate
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Forbidden, Unauthorized

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def admin_without_password(session: Session) -> User | None:
    """The admin a fresh install made, while nobody has given it a password."""
    admins = list(session.scalars(select(User).where(User.role == "admin")))
    if not admins or any(a.password_hash is not None for a in admins):
        return None
    return admins[0]


def set_admin_password(session: Session, *, password: str, ip: str, admin_key: str | None) -> User:
    """Set it, once: the caller is on this machine, or proves it with an admin key."""
    admin = admin_without_password(session)
    if admin is None:
        raise Forbidden("The admin password is already set.", code=Code.FORBIDDEN)
    if ip not in LOOPBACK:
        try:
            principal = authenticate(session, token=admin_key)
        except Unauthorized as exc:
            raise Forbidden(
                "From another machine, the first run needs the admin key printed at start.",
                code=Code.FORBIDDEN,
            ) from exc
        if not principal.has_scope("admin"):
            raise Forbidden("That key is not an admin key.", code=Code.FORBIDDEN)
    admin.password_hash = hash_password(password)
    admin.updated_at = utcnow()
    record(
        session,
        action="PASSWORD_CHANGED",
        actor_id=admin.id,
        ip=ip,
        target_type="user",
        target_id=admin.id,
    )
    session.commit()
    return admin
