"""Router dependencies as `Annotated` aliases, and `Access`: the one place access is decided.

Every route declares an `Access(scope, permission)` (or `PUBLIC`). The access-matrix test
reads these declarations off the route table, so a new route cannot go undeclared.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.responses import Response

from satchel.auth.service import Principal, authenticate, require, stamp_key
from satchel.auth.sessions import SignedIn
from satchel.codes import Code
from satchel.errors import Forbidden, SatchelError
from satchel.ratelimits.service import limiter_for
from satchel.runtime import Runtime

SESSION_COOKIE = "satchel_session"
CSRF_COOKIE = "satchel_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="An API key (`sat_…`) or session token.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_write_session(runtime: RuntimeDep) -> Iterator[Session]:
    """For routes that write: the write turn is taken at BEGIN, so a read-then-write
    transaction never fails because another writer committed in between."""
    with runtime.db.write_session() as session:
        yield session


WriteSessionDep = Annotated[Session, Depends(get_write_session)]


def client_ip(request: Request) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy
    (`SATCHEL_TRUSTED_PROXIES`), the nearest X-Forwarded-For address that is not one."""
    peer = request.client.host if request.client else "unknown"
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    proxies = runtime.settings.trusted_proxies if runtime is not None else []
    if not proxies or not _trusted(peer, tuple(proxies)):
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    client = peer
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            client = str(ipaddress.ip_address(hop))
        except ValueError:
            break  # not an address a proxy writes: trust nothing further left
        if not _trusted(client, tuple(proxies)):
            return client
    return client


@lru_cache(maxsize=256)
def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in proxies:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def csrf_token(runtime: Runtime, session_id: str) -> str:
    return runtime.signer.mac(f"csrf {session_id}")


def set_session_cookies(
    response: Response, *, runtime: Runtime, signed: SignedIn, lifetime: timedelta
) -> str:
    """The browser path of a sign-in: the token in an HttpOnly cookie, plus a readable
    CSRF token (bound to the session) that unsafe requests echo. Returns that token."""
    csrf = csrf_token(runtime, signed.session.id)
    max_age = int(lifetime.total_seconds())
    secure = runtime.settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="lax", secure=secure, path="/"
    )
    return csrf


class Access:
    """A route's requirement: a key scope and a role permission (either may be None).

    `optional` admits anonymous callers (the route then checks a signed URL itself).
    """

    def __init__(
        self, scope: str | None, permission: str | None = None, *, optional: bool = False
    ) -> None:
        self.scope, self.permission, self.optional = scope, permission, optional
        self.public = scope is None and permission is None and not optional

    def __repr__(self) -> str:
        return f"Access({self.scope!r}, {self.permission!r}, optional={self.optional})"

    def __call__(
        self, request: Request, runtime: RuntimeDep, credentials: Credentials
    ) -> Principal | None:
        limiter = limiter_for(runtime.settings)
        if self.public:
            limiter.check(address=client_ip(request))
            return None
        token, via_cookie = (credentials.credentials, False) if credentials else (None, False)
        if token is None and (cookie := request.cookies.get(SESSION_COOKIE)):
            token, via_cookie = cookie, True
        if token is None and self.optional:
            limiter.check(address=client_ip(request))
            return None
        try:
            with runtime.db.session() as session:
                principal = authenticate(session, token=token, via_cookie=via_cookie)
        except SatchelError:
            limiter.check(address=client_ip(request))  # guessing keys counts too
            raise
        limiter.check(
            address=client_ip(request),
            key=principal.key_id or principal.session_id,
            admin=principal.has_scope("admin"),
        )
        if principal.key_id is not None:
            stamp_key(runtime.db, key_id=principal.key_id)
        if via_cookie and request.method not in _SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            expected = csrf_token(runtime, principal.session_id or "")
            if not hmac.compare_digest(sent, expected):
                raise Forbidden(
                    f"A cookie-signed request needs the {CSRF_HEADER} header.",
                    code=Code.CSRF_FAILED,
                )
        require(principal, scope=self.scope, permission=self.permission)
        return principal


PUBLIC = Access(None)
Public = Annotated[None, Depends(PUBLIC)]


def _caller(scope: str, permission: str | None = None) -> object:
    return Depends(Access(scope, permission))


# Aliases for the common declarations; routes with other needs write `_caller(...)` inline.
ReadFiles = Annotated[Principal, _caller("read", "files:own")]
WriteFiles = Annotated[Principal, _caller("write", "files:own")]
FilesOrSigned = Annotated[Principal | None, Depends(Access("read", "files:own", optional=True))]
ReadUser = Annotated[Principal, _caller("read")]
WriteUser = Annotated[Principal, _caller("write")]
AdminUser = Annotated[Principal, _caller("admin")]


def caller(scope: str, permission: str | None = None) -> object:
    """`Annotated[Principal, caller("admin", "users:manage")]` for a specific requirement."""
    return _caller(scope, permission)
