"""Managing users, custom roles and teams (the admin side of accounts)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import satchel.accounts.handles  # noqa: F401 (a deleted account's handle is held)
from satchel.audit.service import record
from satchel.auth import grants
from satchel.auth.models import Role, Team, User
from satchel.auth.passwords import hash_password
from satchel.auth.permissions import BUILTIN_ROLES, PERMISSIONS
from satchel.auth.service import Principal
from satchel.auth.sessions import identifier_taken, revoke_credentials
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Conflict, Invalid, NotFound
from satchel.ids import new_id

_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")


def _user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.", code=Code.USER_NOT_FOUND)
    return user


def _check_role(session: Session, role: str) -> None:
    if (
        role not in BUILTIN_ROLES
        and session.scalar(select(Role.id).where(Role.name == role)) is None
    ):
        raise Invalid(f"No role {role!r}.", fields=[{"field": "role", "message": "unknown role"}])


def _check_team(session: Session, team_id: str | None) -> None:
    if team_id is not None and session.get(Team, team_id) is None:
        raise Invalid(f"No team {team_id}.", fields=[{"field": "team_id", "message": "unknown"}])


def default_team_id(session: Session) -> str | None:
    return session.scalar(select(Team.id).where(Team.is_default.is_(True)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.created_at)))


def create_user(
    session: Session,
    *,
    actor_id: str | None,
    username: str,
    password: str,
    email: str | None = None,
    role: str = "user",
    team_id: str | None = None,
    display_name: str | None = None,
    ip: str | None = None,
    actor: Principal | None = None,  # None: the operator, on the command line
) -> User:
    if not _USERNAME.match(username):
        raise Invalid(
            "A username has 1 to 100 letters, digits or . _ - @.",
            fields=[{"field": "username", "message": "not a valid username"}],
        )
    if any(identifier_taken(session, v) for v in (username, email) if v):
        raise Conflict("That username or email is taken.", code=Code.USER_EXISTS)
    _check_role(session, role)
    if actor is not None:
        grants.check_grant(session, actor, role)
    _check_team(session, team_id)
    user = User(
        id=new_id("usr"),
        username=username,
        email=email.strip().lower() if email else None,
        password_hash=hash_password(password),
        role=role,
        team_id=team_id or default_team_id(session),
        display_name=display_name,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("That username or email is taken.", code=Code.USER_EXISTS) from exc
    record(
        session,
        action="USER_CREATED",
        actor_id=actor_id,
        ip=ip,
        target_type="user",
        target_id=user.id,
        username=username,
        role=role,
    )
    session.commit()
    return user


def _admins_left(session: Session, *, excluding: str) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(User).where(User.role == "admin", User.id != excluding)
        )
        or 0
    )


def update_user(
    session: Session, *, actor: Principal, user_id: str, changes: dict[str, Any], ip: str | None
) -> User:
    user = _user(session, user_id)
    grants.check_manage(session, actor, user)
    if "role" in changes and changes["role"] is not None:
        _check_role(session, changes["role"])
        if (
            user.role == "admin"
            and changes["role"] != "admin"
            and not _admins_left(session, excluding=user.id)
        ):
            raise Conflict("The last admin cannot lose the admin role.", code=Code.LAST_ADMIN)
        grants.check_role_change(session, actor, user, changes["role"])
        user.role = changes["role"]
    if "team_id" in changes:
        _check_team(session, changes["team_id"])
        user.team_id = changes["team_id"] or default_team_id(session)
    if changes.get("display_name") is not None:
        user.display_name = changes["display_name"]
    user.updated_at = utcnow()
    record(
        session,
        action="USER_UPDATED",
        actor_id=actor.user_id,
        ip=ip,
        target_type="user",
        target_id=user.id,
        changes=sorted(changes),
    )
    session.commit()
    return user


def reset_password(
    session: Session,
    *,
    actor_id: str | None,
    user_id: str,
    password: str,
    ip: str | None,
    actor: Principal | None = None,  # None: the operator, on the command line
) -> None:
    user = _user(session, user_id)
    if actor is not None:
        grants.check_manage(session, actor, user)
    # A reset ends every session and revokes every key: whoever knew the old password may
    # have made some. Giving a first password to an account that had none (the admin made
    # at first start) has nothing to end, and keeps the keys automation depends on.
    had_password = user.password_hash is not None
    user.password_hash = hash_password(password)
    user.updated_at = utcnow()
    if had_password:
        revoke_credentials(session, user_id=user.id, keep_session=None)
    record(
        session,
        action="PASSWORD_RESET",
        actor_id=actor_id,
        ip=ip,
        target_type="user",
        target_id=user.id,
    )
    session.commit()


def check_deletable(session: Session, *, actor: Principal, user_id: str) -> User:
    user = _user(session, user_id)
    grants.check_manage(session, actor, user)
    if user.id == actor.user_id:
        raise Conflict("You cannot delete yourself.", code=Code.CANNOT_DELETE_SELF)
    if user.role == "admin" and not _admins_left(session, excluding=user.id):
        raise Conflict("The last admin cannot be deleted.", code=Code.LAST_ADMIN)
    return user


def delete_user(session: Session, *, actor: Principal, user_id: str, ip: str | None) -> None:
    """Delete the row (sessions and keys cascade); assets are removed by the caller first."""
    user = check_deletable(session, actor=actor, user_id=user_id)
    session.delete(user)
    record(
        session,
        action="USER_DELETED",
        actor_id=actor.user_id,
        ip=ip,
        target_type="user",
        target_id=user_id,
        username=user.username,
    )
    session.commit()


# --- roles -----------------------------------------------------------------------------


def _check_permissions(permissions: list[str]) -> list[str]:
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise Invalid(
            f"Unknown permissions: {', '.join(unknown)}.",
            fields=[{"field": "permissions", "message": f"unknown: {unknown}"}],
        )
    return sorted(set(permissions))


def list_roles(session: Session) -> list[tuple[Role, int]]:
    counts = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    roles = session.scalars(select(Role).order_by(Role.builtin.desc(), Role.name))
    return [(r, counts.get(r.name, 0)) for r in roles]


def _role(session: Session, role_id: str) -> Role:
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound(f"No role {role_id}.", code=Code.ROLE_NOT_FOUND)
    return role


def create_role(
    session: Session,
    *,
    actor: Principal,
    name: str,
    description: str,
    permissions: list[str],
    ip: str | None,
) -> Role:
    grants.check_permissions(actor, _check_permissions(permissions))
    if name in BUILTIN_ROLES or session.scalar(select(Role.id).where(Role.name == name)):
        raise Conflict(f"A role named {name!r} exists.", code=Code.ROLE_EXISTS)
    role = Role(
        id=new_id("rol"),
        name=name,
        description=description,
        permissions=_check_permissions(permissions),
    )
    session.add(role)
    record(
        session,
        action="ROLE_CREATED",
        actor_id=actor.user_id,
        ip=ip,
        target_type="role",
        target_id=role.id,
        name=name,
    )
    session.commit()
    return role


def update_role(
    session: Session, *, actor: Principal, role_id: str, changes: dict[str, Any], ip: str | None
) -> Role:
    role = _role(session, role_id)
    if role.builtin:
        raise Conflict("Built-in roles cannot be changed.", code=Code.ROLE_BUILTIN)
    grants.check_permissions(actor, role.permissions)  # not a stronger role than one's own
    if changes.get("permissions") is not None:
        grants.check_permissions(actor, _check_permissions(changes["permissions"]))
    if changes.get("name") and changes["name"] != role.name:
        new = changes["name"]
        if new in BUILTIN_ROLES or session.scalar(select(Role.id).where(Role.name == new)):
            raise Conflict(f"A role named {new!r} exists.", code=Code.ROLE_EXISTS)
        session.execute(update(User).where(User.role == role.name).values(role=new))
        role.name = new
    if changes.get("description") is not None:
        role.description = changes["description"]
    if changes.get("permissions") is not None:
        role.permissions = _check_permissions(changes["permissions"])
    record(
        session,
        action="ROLE_UPDATED",
        actor_id=actor.user_id,
        ip=ip,
        target_type="role",
        target_id=role.id,
        changes=sorted(changes),
    )
    session.commit()
    return role


def delete_role(session: Session, *, actor: Principal, role_id: str, ip: str | None) -> int:
    """Delete a custom role; its users fall back to `user`. Returns how many moved."""
    role = _role(session, role_id)
    if role.builtin:
        raise Conflict("Built-in roles cannot be deleted.", code=Code.ROLE_BUILTIN)
    grants.check_permissions(actor, role.permissions)
    moved = session.execute(update(User).where(User.role == role.name).values(role="user"))
    session.delete(role)
    record(
        session,
        action="ROLE_DELETED",
        actor_id=actor.user_id,
        ip=ip,
        target_type="role",
        target_id=role_id,
        name=role.name,
    )
    session.commit()
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]


# --- teams -----------------------------------------------------------------------------


def list_teams(session: Session) -> list[tuple[Team, int]]:
    counts = dict(session.execute(select(User.team_id, func.count()).group_by(User.team_id)).all())
    return [(t, counts.get(t.id, 0)) for t in session.scalars(select(Team).order_by(Team.name))]


def _team(session: Session, team_id: str) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"No team {team_id}.", code=Code.TEAM_NOT_FOUND)
    return team


def _unique_team_name(session: Session, name: str, *, excluding: str | None = None) -> str:
    name = name.strip()
    if not name:
        raise Invalid("A team needs a name.", fields=[{"field": "name", "message": "empty"}])
    clash = session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower()))
    if clash is not None and clash != excluding:
        raise Conflict(f"A team named {name!r} exists.", code=Code.TEAM_EXISTS)
    return name


def create_team(session: Session, *, actor_id: str, name: str, ip: str | None) -> Team:
    team = Team(id=new_id("tm"), name=_unique_team_name(session, name))
    session.add(team)
    record(
        session,
        action="TEAM_CREATED",
        actor_id=actor_id,
        ip=ip,
        target_type="team",
        target_id=team.id,
        name=team.name,
    )
    session.commit()
    return team


def rename_team(
    session: Session, *, actor_id: str, team_id: str, name: str, ip: str | None
) -> Team:
    team = _team(session, team_id)
    team.name = _unique_team_name(session, name, excluding=team.id)
    record(
        session,
        action="TEAM_UPDATED",
        actor_id=actor_id,
        ip=ip,
        target_type="team",
        target_id=team.id,
        name=team.name,
    )
    session.commit()
    return team


def delete_team(session: Session, *, actor_id: str, team_id: str, ip: str | None) -> None:
    team = _team(session, team_id)
    if team.is_default:
        raise Conflict("The default team cannot be deleted.", code=Code.TEAM_DEFAULT)
    if session.scalar(select(func.count()).select_from(User).where(User.team_id == team.id)):
        raise Conflict("The team still has members.", code=Code.TEAM_HAS_MEMBERS)
    session.delete(team)
    record(
        session,
        action="TEAM_DELETED",
        actor_id=actor_id,
        ip=ip,
        target_type="team",
        target_id=team_id,
        name=team.name,
    )
    session.commit()
