"""`satchel user …`: users on this server's database, for the operator of the machine
(create, list, reset-password, mint-key, disable, enable, delete). They need no key: whoever
can read the data folder is the operator already."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from satchel_client.cli.app import LOCAL, app, console

from satchel.cli.local import JsonOpt, _failed
from satchel.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from satchel.auth.models import User
    from satchel.auth.service import Principal
    from satchel.runtime import Runtime

user_app = typer.Typer(help="Manage users on this server's database (local admin commands).")
app.add_typer(user_app, name="user", rich_help_panel=LOCAL)


def _password(password: str | None) -> str:
    if password is not None:
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@contextmanager
def _runtime(as_json: bool) -> Iterator[Runtime]:
    """The runtime of this data folder; its errors become the CLI's error line."""
    from satchel.errors import SatchelError
    from satchel.runtime import start

    runtime = start(Settings())
    try:
        yield runtime
    except SatchelError as exc:
        raise _failed(exc.message, exc.code, as_json) from exc
    finally:
        runtime.close()


def _named(session: Session, username: str, as_json: bool) -> User:
    from sqlalchemy import func, select

    from satchel.auth.models import User

    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        raise _failed(f"no user {username!r}", "user_not_found", as_json)
    return user


def _operator() -> Principal:
    """The person at this machine's shell, as an actor: an admin that is no user."""
    from satchel.auth.permissions import PERMISSIONS, SCOPES
    from satchel.auth.service import Principal

    return Principal("operator", "admin", frozenset(SCOPES), frozenset(PERMISSIONS))


@user_app.command("create")
def user_create(
    username: str,
    password: Annotated[str | None, typer.Option(help="Prompted for when omitted")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    role: Annotated[str, typer.Option(help="admin, user or a custom role")] = "user",
    as_json: JsonOpt = False,
) -> None:
    """Create a user who can sign in with a password."""
    from satchel.auth.users import create_user

    with _runtime(as_json) as runtime, runtime.db.write_session() as session:
        user = create_user(
            session,
            actor_id=None,
            username=username,
            password=_password(password),
            email=email,
            role=role,
        )
        if as_json:
            print(json.dumps({"id": user.id, "username": user.username, "role": user.role}))
        else:
            console.print(f"Created {user.username} ({user.id}, role {user.role}).")


@user_app.command("list")
def user_list(as_json: JsonOpt = False) -> None:
    """Every user: id, role, status, whether a password is set, and live API keys."""
    from sqlalchemy import func, select

    from satchel.auth.models import ApiKey, User

    with _runtime(as_json) as runtime, runtime.db.session() as session:
        live = dict(
            session.execute(
                select(ApiKey.user_id, func.count())
                .where(ApiKey.revoked_at.is_(None))
                .group_by(ApiKey.user_id)
            ).all()
        )
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "role": u.role,
                "status": u.status,
                "password": u.password_hash is not None,
                "api_keys": live.get(u.id, 0),
            }
            for u in session.scalars(select(User).order_by(User.created_at))
        ]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("username", "id", "role", "status", "password", "api keys")
    for r in rows:
        table.add_row(
            str(r["username"]),
            str(r["id"]),
            str(r["role"]),
            str(r["status"]),
            "set" if r["password"] else "none",
            str(r["api_keys"]),
        )
    console.print(table)


@user_app.command("reset-password")
def user_reset_password(
    username: str,
    password: Annotated[str | None, typer.Option(help="Prompted for when omitted")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a user's password (ends their sessions and revokes their API keys)."""
    from satchel.auth.users import reset_password

    with _runtime(as_json) as runtime, runtime.db.write_session() as session:
        user = _named(session, username, as_json)
        reset_password(
            session, actor_id=None, user_id=user.id, password=_password(password), ip=None
        )
        if as_json:
            print(json.dumps({"username": user.username, "password_set": True}))
        else:
            console.print(f"Password of {user.username} set.")


@user_app.command("mint-key")
def user_mint_key(
    username: str,
    name: Annotated[str, typer.Option(help="What the key is for")] = "minted on the server",
    scope: Annotated[str, typer.Option(help="read, write or admin")] = "write",
    as_json: JsonOpt = False,
) -> None:
    """Make a new API key for a user (a lost first-start key is replaced this way)."""
    from satchel.auth.service import create_key

    with _runtime(as_json) as runtime, runtime.db.write_session() as session:
        user = _named(session, username, as_json)
        key, raw = create_key(session, user_id=user.id, name=name, scopes=[scope])
        session.commit()
        if as_json:
            print(json.dumps({"id": key.id, "username": user.username, "key": raw}))
            return
        console.print(
            f"API key for [bold]{user.username}[/bold] ({key.id}, scope {scope}), shown only "
            f"this once:\n  {raw}\nUse it as `Authorization: Bearer <key>`."
        )


def _set_status(username: str, status: str, as_json: bool) -> None:
    from satchel.db import utcnow

    with _runtime(as_json) as runtime, runtime.db.write_session() as session:
        user = _named(session, username, as_json)
        user.status, user.updated_at = status, utcnow()
        session.commit()
        if as_json:
            print(json.dumps({"username": user.username, "status": status}))
        else:
            console.print(f"{user.username} is {status}.")


@user_app.command("disable")
def user_disable(username: str, as_json: JsonOpt = False) -> None:
    """Stop a user signing in or using their keys (nothing is deleted; `enable` undoes it)."""
    _set_status(username, "disabled", as_json)


@user_app.command("enable")
def user_enable(username: str, as_json: JsonOpt = False) -> None:
    """Let a disabled user sign in and use their keys again."""
    _set_status(username, "active", as_json)


@user_app.command("delete")
def user_delete(
    username: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a user and everything they own (their assets go through the delete engine)."""
    from satchel.assets import deletion
    from satchel.auth import users

    actor = _operator()
    with _runtime(as_json) as runtime:
        with runtime.db.session() as session:
            user = _named(session, username, as_json)
            users.check_deletable(session, actor=actor, user_id=user.id)
            user_id, name = user.id, user.username
        if not yes and not typer.confirm(f"Delete {name} and all their files?", err=True):
            raise typer.Exit(1)
        removed = deletion.delete_all_for_owner(
            db=runtime.db, blobs=runtime.blobs, owner_id=user_id, actor_id=actor.user_id
        )
        with runtime.db.write_session() as session:
            users.delete_user(session, actor=actor, user_id=user_id, ip=None)
        if as_json:
            print(json.dumps({"username": name, "deleted": True, "assets_deleted": removed}))
        else:
            console.print(f"Deleted {name} and {removed} asset(s).")
