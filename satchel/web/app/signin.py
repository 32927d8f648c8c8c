"""`/`, the first run, sign-in and sign-out."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from satchel.api.deps import (
    Public,
    RuntimeDep,
    client_ip,
    set_session_cookies,
)
from satchel.auth import first_run, sessions
from satchel.errors import SatchelError
from satchel.preferences import service as preferences
from satchel.web.app.shell import BAD_FORM, clear_session, csrf_ok, redirect, render, viewer

router = APIRouter()
Field = Annotated[str, Form(max_length=1024)]


def _needs_first_run(runtime: RuntimeDep) -> bool:
    with runtime.db.session() as session:
        return first_run.admin_without_password(session) is not None


@router.get("/")
def home(request: Request, runtime: RuntimeDep, _: Public) -> Response:
    if _needs_first_run(runtime):
        return redirect("/first-run")
    return redirect("/library" if viewer(request, runtime) else "/sign-in")


@router.get("/first-run")
def first_run_page(request: Request, runtime: RuntimeDep, _: Public) -> Response:
    if not _needs_first_run(runtime):
        return redirect("/sign-in")
    local = client_ip(request) in first_run.LOOPBACK
    return render("first_run.html", request=request, who=None, local=local, message=None)


@router.post("/first-run")
def first_run_submit(
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    csrf: Field = "",
    password: Field = "",
    confirm: Field = "",
    admin_key: Field = "",
) -> Response:
    local = client_ip(request) in first_run.LOOPBACK

    def again(message: str, status: int) -> Response:
        return render(
            "first_run.html",
            request=request,
            who=None,
            local=local,
            message=message,
            status=status,
        )

    if not csrf_ok(request, runtime, csrf, None):
        return again(BAD_FORM, 403)
    if password != confirm:
        return again("Password and confirmation differ.", 422)
    with runtime.db.write_session() as session:
        try:
            first_run.set_admin_password(
                session, password=password, ip=client_ip(request), admin_key=admin_key or None
            )
        except SatchelError as exc:
            return again(exc.message, exc.status)
    return redirect("/sign-in?first=1")


@router.get("/sign-in")
def sign_in_page(request: Request, runtime: RuntimeDep, _: Public) -> Response:
    if _needs_first_run(runtime):
        return redirect("/first-run")
    if viewer(request, runtime) is not None:
        return redirect("/library")
    first = request.query_params.get("first") == "1"
    return render("sign_in.html", request=request, who=None, message=None, first=first)


@router.post("/sign-in")
def sign_in_submit(
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    csrf: Field = "",
    username: Field = "",
    password: Field = "",
) -> Response:
    def again(message: str, status: int) -> Response:
        return render(
            "sign_in.html",
            request=request,
            who=None,
            message=message,
            first=False,
            status=status,
        )

    if not csrf_ok(request, runtime, csrf, None):
        return again(BAD_FORM, 403)
    lifetime = timedelta(hours=runtime.settings.session_hours)
    with runtime.db.write_session() as session:
        limit = int(preferences.get_value(session, "loginAttemptLimit"))
        try:
            signed = sessions.login(
                session,
                login=username,
                password=password,
                ip=client_ip(request),
                limit=limit,
                lifetime=lifetime,
            )
        except SatchelError as exc:
            return again(exc.message, exc.status)
    response = redirect("/library")
    set_session_cookies(response, runtime=runtime, signed=signed, lifetime=lifetime)
    return response


@router.post("/sign-out")
def sign_out(request: Request, runtime: RuntimeDep, _: Public, csrf: Field = "") -> Response:
    who = viewer(request, runtime)
    if who is None:
        return clear_session(redirect("/sign-in"))
    if not csrf_ok(request, runtime, csrf, who):
        return redirect("/library")
    with runtime.db.write_session() as session:
        sessions.logout(
            session,
            session_id=who.principal.session_id,
            user_id=who.user.id,
            ip=client_ip(request),
        )
    return clear_session(redirect("/sign-in"))
