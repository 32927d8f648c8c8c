"""What every app page shares: templates, the strict CSP, CSRF, the signed-in caller."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse

from satchel.api.deps import CSRF_COOKIE, SESSION_COOKIE, csrf_token
from satchel.assets import folders
from satchel.auth.models import User
from satchel.auth.service import Principal, authenticate, require
from satchel.errors import Forbidden, Unauthorized
from satchel.runtime import Runtime

PAGE = 60  # library cards per page
BAD_FORM = "The form expired. Reload the page and try again."

STATIC = Path(__file__).parent.parent / "static"
PRE_CSRF_COOKIE = "satchel_form"  # signed-out forms (sign-in, first run): double submit
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates" / "app"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# No inline script or style anywhere: everything the pages run or wear is a file of ours.
APP_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)


def headers(csp: str = APP_CSP) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


class Viewer:
    """The signed-in person a page is for, with the CSRF token its forms carry."""

    def __init__(self, principal: Principal, user: User, csrf: str) -> None:
        self.principal, self.user, self.csrf = principal, user, csrf

    @property
    def name(self) -> str:
        return self.user.display_name or self.user.username


def viewer(request: Request, runtime: Runtime) -> Viewer | None:
    """The person behind the session cookie, or None (no cookie, expired, disabled)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with runtime.db.session() as session:
        try:
            principal = authenticate(session, token=token, via_cookie=True)
        except Unauthorized:
            return None
        user = session.get(User, principal.user_id)
        if user is None:
            return None
        session.expunge(user)
    return Viewer(principal, user, csrf_token(runtime, principal.session_id or ""))


def refusal(who: Viewer, *, scope: str, permission: str) -> str | None:
    """Why the API would refuse this person (their role's permissions), or None."""
    try:
        require(who.principal, scope=scope, permission=permission)
    except Forbidden as exc:
        return exc.message
    return None


def csrf_ok(request: Request, runtime: Runtime, sent: str, who: Viewer | None) -> bool:
    """A form's token: bound to the session when signed in, else the form cookie's."""
    expected = who.csrf if who is not None else request.cookies.get(PRE_CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent, expected)


def render(
    template: str,
    *,
    request: Request,
    who: Viewer | None,
    status: int = 200,
    csp: str = APP_CSP,
    **context: Any,
) -> HTMLResponse:
    form_token = None
    if who is None:
        form_token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
    csrf = who.csrf if who is not None else form_token
    html = _env.get_template(template).render(who=who, csrf=csrf, path=request.url.path, **context)
    response = HTMLResponse(html, status_code=status, headers=headers(csp))
    if form_token is not None:
        response.set_cookie(PRE_CSRF_COOKIE, form_token, httponly=True, samesite="strict", path="/")
    return response


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})


def clear_session(response: RedirectResponse) -> RedirectResponse:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def library_url(params: dict[str, Any], **changes: Any) -> str:
    """`/library?…` with the current view's parameters (empty and default ones left out)."""
    wanted = {k: v for k, v in {**params, **changes}.items() if v not in ("", None)}
    if wanted.get("folder") == folders.ROOT:
        del wanted["folder"]
    if wanted.get("limit") == PAGE:
        del wanted["limit"]
    return "/library" + ("?" + urlencode(wanted) if wanted else "")
