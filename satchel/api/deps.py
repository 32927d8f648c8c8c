"""Router dependencies as `Annotated` aliases: the runtime, a session, the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from satchel.auth.service import Principal, authenticate, require_scope
from satchel.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="An API key (`sat_…`).")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The one place where a request's caller is established."""
    token = credentials.credentials if credentials else None
    with runtime.db.session() as session:
        return authenticate(session, token=token)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def _scope(scope: str) -> object:
    def check(principal: CurrentPrincipal) -> Principal:
        require_scope(principal, scope)
        return principal

    check.__name__ = f"require_{scope}"
    return Depends(check)


ReadKey = Annotated[Principal, _scope("read")]
WriteKey = Annotated[Principal, _scope("write")]
AdminKey = Annotated[Principal, _scope("admin")]


def get_optional_principal(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller when a key is sent (a bad key is still 401), else None (signed links)."""
    if credentials is None:
        return None
    with runtime.db.session() as session:
        return authenticate(session, token=credentials.credentials)


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]
