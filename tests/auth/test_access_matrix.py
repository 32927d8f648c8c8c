"""Every route × every kind of caller, with the expected answer derived from the route's
own `Access` declaration; a route without one fails here, so none can escape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from satchel.api.app import API_PREFIX
from satchel.api.deps import Access
from satchel.auth.models import ApiKey, LoginSession, User
from satchel.auth.permissions import BUILTIN_ROLES, expand_scopes
from satchel.auth.service import SESSION_PREFIX, create_key, token_hash
from satchel.db import utcnow
from satchel.ids import new_id
from satchel.runtime import Runtime
from tests.conftest import ADMIN_KEY

DENIED_CODES = {"insufficient_scope", "insufficient_permission", "csrf_failed"}
FAKE_IDS = {
    "asset_id": "ast_" + "0" * 26,
    "user_id": "usr_" + "0" * 26,
    "key_id": "key_" + "0" * 26,
    "role_id": "rol_" + "0" * 26,
    "team_id": "tm_" + "0" * 26,
    "upload_id": "upl_" + "0" * 26,
    "key": "nokey",
}


def declared(dependant: Dependant) -> list[Access]:
    found = [d.call for d in dependant.dependencies if isinstance(d.call, Access)]
    for sub in dependant.dependencies:
        found += declared(sub)
    return found


def api_routes(app: FastAPI) -> list[tuple[str, str, Access]]:
    """(method, full path, declared access) of every route under /api/v1."""
    rows = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if not isinstance(route, APIRoute) or not path or not path.startswith(API_PREFIX):
            continue
        access = declared(route.dependant)
        assert len(access) == 1, f"{path} must declare exactly one Access, has {access}"
        for method in sorted(context.methods or ()):
            rows.append((method, path, access[0]))
    return rows


@dataclass(frozen=True)
class Caller:
    name: str
    token: str | None
    scopes: frozenset[str]
    permissions: frozenset[str]
    valid: bool = True
    session_of: str | None = None  # a fresh session per request (logout would end a shared one)


def _user(runtime: Runtime, name: str, role: str) -> str:
    with runtime.db.session() as s:
        user = User(id=new_id("usr"), username=name, role=role)
        s.add(user)
        s.commit()
        return user.id


def _key(runtime: Runtime, user_id: str, scopes: list[str], **extra: Any) -> str:
    with runtime.db.session() as s:
        key, raw = create_key(s, user_id=user_id, name="k", scopes=scopes)
        for field, value in extra.items():
            setattr(key, field, value)
        s.commit()
        return raw


def _session(runtime: Runtime, user_id: str) -> str:
    raw = SESSION_PREFIX + new_id("ses")
    with runtime.db.session() as s:
        s.add(
            LoginSession(
                id=new_id("ses"),
                user_id=user_id,
                token_hash=token_hash(raw),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        s.commit()
    return raw


def callers(runtime: Runtime) -> list[Caller]:
    user = BUILTIN_ROLES["user"][1]
    admin = BUILTIN_ROLES["admin"][1]
    alice = _user(runtime, "alice", "user")
    bob = _user(runtime, "bob", "user")
    with runtime.db.session() as s:
        admin_id = s.query(User.id).filter(User.role == "admin").scalar()
    expired = _key(runtime, alice, ["admin"])
    revoked = _key(runtime, alice, ["admin"])
    with runtime.db.session() as s:
        for raw, field in ((expired, "expires_at"), (revoked, "revoked_at")):
            key = s.query(ApiKey).filter(ApiKey.key_hash == token_hash(raw)).one()
            setattr(key, field, utcnow() - timedelta(seconds=1))
        s.commit()
    return [
        Caller("anonymous", None, frozenset(), frozenset(), valid=False),
        Caller("expired key", expired, frozenset(), frozenset(), valid=False),
        Caller("revoked key", revoked, frozenset(), frozenset(), valid=False),
        Caller("read key", _key(runtime, alice, ["read"]), expand_scopes(["read"]), user),
        Caller("write key", _key(runtime, alice, ["write"]), expand_scopes(["write"]), user),
        Caller("admin-scope key", _key(runtime, alice, ["admin"]), expand_scopes(["admin"]), user),
        Caller("second user", _key(runtime, bob, ["admin"]), expand_scopes(["admin"]), user),
        Caller("admin key", ADMIN_KEY, expand_scopes(["admin"]), admin),
        Caller("admin session", None, expand_scopes(["admin"]), admin, session_of=admin_id),
    ]


def expected_denial(access: Access, caller: Caller) -> tuple[int, str | None] | None:
    """(status, code) when this caller must be refused, else None."""
    if access.public:
        return None
    if not caller.valid:
        return 401, "unauthorized"
    if access.scope is not None and access.scope not in caller.scopes:
        return 403, "insufficient_scope"
    if access.permission is not None and access.permission not in caller.permissions:
        return 403, "insufficient_permission"
    return None


def _code(response: httpx.Response) -> str | None:
    """The error code (HEAD answers carry the status only)."""
    if not response.content:
        return None
    code: str = response.json()["error"]["code"]
    return code


def _is_denial(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 403 and _code(response) in (*DENIED_CODES, None)


async def test_access_matrix(app: FastAPI, runtime: Runtime) -> None:
    routes = api_routes(app)
    assert len(routes) > 30
    people = callers(runtime)
    transport = httpx.ASGITransport(app=app)
    problems = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for caller in people:
            # Giving up the caller's own key comes last: nothing after it could be checked.
            own_last = sorted(routes, key=lambda r: r[1].endswith("/api-keys/current"))
            for method, path, access in own_last:
                token = _session(runtime, caller.session_of) if caller.session_of else caller.token
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                url = re.sub(r"\{(\w+)\}", lambda m: FAKE_IDS.get(m.group(1), "x"), path)
                response = await client.request(method, url, headers=headers)
                want = expected_denial(access, caller)
                if want is None:
                    if _is_denial(response):
                        problems.append(
                            f"{caller.name} {method} {path}: refused "
                            f"{response.status_code} {response.text[:120]}"
                        )
                elif response.status_code != want[0] or _code(response) not in (want[1], None):
                    problems.append(
                        f"{caller.name} {method} {path}: want {want}, got "
                        f"{response.status_code} {response.text[:120]}"
                    )
                assert response.status_code < 500, (caller.name, method, path, response.text)
    assert problems == [], "\n".join(problems)


def test_every_api_route_declares_access(app: FastAPI) -> None:
    # api_routes asserts it per route; this names the count so a silent empty table fails.
    assert {p for _, p, _ in api_routes(app)} >= {f"{API_PREFIX}/assets", f"{API_PREFIX}/roles"}


@pytest.mark.parametrize("path", ["/api/v1/api-keys/{id}"])
async def test_other_users_key_is_as_missing_as_none(
    client: httpx.AsyncClient, client_for: Any, path: str
) -> None:
    created = await client.post("/api/v1/api-keys", json={"name": "mine", "scopes": ["read"]})
    key_id = created.json()["data"]["id"]
    async with client_for(["admin"], "mallory") as other:
        theirs = await other.delete(path.format(id=key_id))
        missing = await other.delete(path.format(id="key_" + "9" * 26))
    assert theirs.status_code == missing.status_code == 404
    body_a, body_b = theirs.json(), missing.json()
    body_a["error"]["message"] = body_b["error"]["message"] = ""  # they name the id asked for
    assert body_a == body_b
