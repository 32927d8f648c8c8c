"""`/s/{short_id}`, `/u/{handle}`, their covers, and the legacy `/share/...` redirects."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from satchel.api.deps import Public, RuntimeDep, SessionDep, client_ip
from satchel.api.envelope import ERROR_RESPONSES
from satchel.assets.content import Payload, send_payload
from satchel.assets.views import base_url
from satchel.errors import Forbidden, NotFound
from satchel.runtime import Runtime
from satchel.spaces import service
from satchel.spaces.models import Space
from satchel.web import covers, views
from satchel.web.render import NO_STORE, SHORT_CACHE, not_found, page

router = APIRouter(tags=["pages"], responses=ERROR_RESPONSES, include_in_schema=False)

COVER_CACHE = "public, max-age=600"
REDIRECT_CACHE = "public, max-age=86400"
MAX_PASSWORD = 1024
GET_HEAD = ["GET", "HEAD"]


def _gallery(session: Session, space: Space, base: str, runtime: Runtime, cache: str) -> Response:
    data = views.space_page(session, space, base, runtime)
    return page("space.html", base=base, cache=cache, space=data)


def _locked(
    base: str, *, status: int = 200, message: str | None = None, **headers: str
) -> Response:
    return page(
        "password.html", base=base, status=status, cache=NO_STORE, message=message, headers=headers
    )


@router.api_route("/s/{short_id}", methods=GET_HEAD)
def space_page(
    short_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, _: Public
) -> Response:
    base = base_url(request, runtime)
    try:
        space = service.shared(session, short_id)
    except NotFound:
        return not_found(base)
    if space.visibility == "protected":
        return _locked(base)
    return _gallery(session, space, base, runtime, SHORT_CACHE)


@router.post("/s/{short_id}")
def unlock_space(
    short_id: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    _: Public,
    password: Annotated[str, Form()] = "",
) -> Response:
    base = base_url(request, runtime)
    try:
        space = service.shared(session, short_id)
    except NotFound:
        return not_found(base)
    if space.visibility == "public":
        return _gallery(session, space, base, runtime, NO_STORE)
    wrong = "That password is not right. Check it and try again."
    if not password or len(password) > MAX_PASSWORD:
        return _locked(base, status=403, message=wrong)
    try:
        space = service.unlock(session, short_id=short_id, password=password, ip=client_ip(request))
    except service.TooManyAttempts as exc:
        retry = exc.headers.get("Retry-After", "60")
        minutes = max(1, -(-int(retry) // 60))
        message = (
            "Too many wrong passwords. Wait "
            f"{minutes} minute{'s' if minutes != 1 else ''} before trying again."
        )
        return _locked(base, status=429, message=message, **{"Retry-After": retry})
    except Forbidden:
        return _locked(base, status=403, message=wrong)
    # The signed links in the page are for whoever knows the password: never cached.
    return _gallery(session, space, base, runtime, NO_STORE)


@router.api_route("/u/{handle}", methods=GET_HEAD)
def profile_page(
    handle: str, request: Request, runtime: RuntimeDep, session: SessionDep, _: Public
) -> Response:
    base = base_url(request, runtime)
    try:
        data = views.profile_page(session, handle=handle, base=base, runtime=runtime)
    except NotFound:
        return not_found(base)
    return page("profile.html", base=base, profile=data)


async def _cover(request: Request, runtime: Runtime, payload: Payload | None) -> Response:
    if payload is None:
        png, etag = covers.placeholder()
        headers = {"ETag": etag, "Cache-Control": COVER_CACHE, "X-Content-Type-Options": "nosniff"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        body = b"" if request.method == "HEAD" else png
        headers["Content-Length"] = str(len(png))
        return Response(body, media_type="image/png", headers=headers)
    response = await send_payload(request, payload=payload, blobs=runtime.blobs, full_check=False)
    response.headers["Cache-Control"] = COVER_CACHE
    return response


@router.api_route("/s/{short_id}/cover", methods=GET_HEAD, response_class=Response)
async def space_cover(short_id: str, request: Request, runtime: RuntimeDep, _: Public) -> Response:
    def load() -> Payload | None:
        with runtime.db.session() as session:
            return covers.space_cover(session, short_id=short_id)

    try:
        payload = await run_in_threadpool(load)
    except NotFound:
        return not_found(base_url(request, runtime))
    return await _cover(request, runtime, payload)


@router.api_route("/u/{handle}/cover", methods=GET_HEAD, response_class=Response)
async def profile_cover(handle: str, request: Request, runtime: RuntimeDep, _: Public) -> Response:
    def load() -> Payload | None:
        with runtime.db.session() as session:
            return covers.profile_cover(session, handle=handle)

    try:
        payload = await run_in_threadpool(load)
    except NotFound:
        return not_found(base_url(request, runtime))
    return await _cover(request, runtime, payload)


def _moved(request: Request, runtime: Runtime, path: str) -> Response:
    return RedirectResponse(
        f"{base_url(request, runtime)}{path}",
        status_code=301,
        headers={"Cache-Control": REDIRECT_CACHE},
    )


@router.api_route("/share/{short_id}", methods=GET_HEAD)
def legacy_space(short_id: str, request: Request, runtime: RuntimeDep, _: Public) -> Response:
    return _moved(request, runtime, f"/s/{quote(short_id, safe='')}")


@router.api_route("/share/u/{handle}", methods=GET_HEAD)
def legacy_profile(handle: str, request: Request, runtime: RuntimeDep, _: Public) -> Response:
    return _moved(request, runtime, f"/u/{quote(handle, safe='')}")
