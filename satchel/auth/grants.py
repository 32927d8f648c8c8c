"""Who may hand out what: no one grants more than they hold.

A role with `users:manage` can manage users, but it cannot make anyone (itself included)
stronger than itself: only `admin` assigns `admin`; any other role granted, created or
changed must hold a subset of the actor's own permissions; nobody changes their own role;
and a user whose permissions the actor does not hold cannot be changed, reset or deleted
by them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from satchel.auth.models import User
from satchel.auth.service import Principal, permissions_for
from satchel.codes import Code
from satchel.errors import Forbidden


def _refuse(message: str) -> Forbidden:
    return Forbidden(message, code=Code.INSUFFICIENT_PERMISSION)


def check_grant(session: Session, actor: Principal, role: str) -> None:
    """The actor may give `role` to someone."""
    if role == "admin" and actor.role != "admin":
        raise _refuse("Only an admin can make someone an admin.")
    check_permissions(actor, permissions_for(session, role))


def check_permissions(actor: Principal, permissions: Iterable[str]) -> None:
    """The actor holds every one of these permissions (to put them in a role)."""
    missing = sorted(set(permissions) - actor.permissions)
    if missing and actor.role != "admin":
        raise _refuse(f"You cannot grant permissions you do not hold: {', '.join(missing)}.")


def check_manage(session: Session, actor: Principal, target: User) -> None:
    """The actor may change, reset or delete `target` (never someone stronger)."""
    if actor.role == "admin" or target.id == actor.user_id:
        return
    if target.role == "admin" or not permissions_for(session, target.role) <= actor.permissions:
        raise _refuse("You cannot manage a user with permissions you do not hold.")


def check_role_change(session: Session, actor: Principal, target: User, role: str) -> None:
    if target.id == actor.user_id and role != target.role:
        raise _refuse("You cannot change your own role.")
    check_manage(session, actor, target)
    check_grant(session, actor, role)
