"""`/settings`: runtime settings, read by any user, written by admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from satchel.api.deps import SessionDep, WriteSessionDep, caller, client_ip
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.preferences import service

router = APIRouter(tags=["settings"])

ReadSettings = Annotated[Principal, caller("read", "settings:read")]
WriteSettings = Annotated[Principal, caller("admin", "settings:write")]


@router.get("/settings", summary="All runtime settings")
def get_all(session: SessionDep, _: ReadSettings) -> Envelope[dict[str, Any]]:
    return envelope(service.all_values(session))


@router.put("/settings", summary="Change some settings (a JSON object of key → value)")
def put_all(
    request: Request,
    session: WriteSessionDep,
    principal: WriteSettings,
    changes: Annotated[dict[str, Any], Body(examples=[{"loginAttemptLimit": 10}])],
) -> Envelope[dict[str, Any]]:
    values = service.update(
        session, actor_id=principal.user_id, changes=changes, ip=client_ip(request)
    )
    return envelope(values)


@router.get("/settings/{key}", summary="One setting")
def get_one(key: str, session: SessionDep, _: ReadSettings) -> Envelope[dict[str, Any]]:
    return envelope({"key": key, "value": service.get_value(session, key)})
