"""`/audit-log`: who did what, for people with `audit:read`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from satchel.api.deps import SessionDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.audit import service
from satchel.auth.service import Principal

router = APIRouter(tags=["audit"])

ReadAudit = Annotated[Principal, caller("read", "audit:read")]


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: str | None
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    details: dict[str, Any]


@router.get("/audit-log", summary="The audit log, newest first")
def audit_log(
    session: SessionDep,
    _: ReadAudit,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    action: str | None = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> Envelope[list[AuditOut]]:
    rows, total = service.page(session, page=page, limit=limit, action=action, start=start, end=end)
    data = [AuditOut.model_validate(r, from_attributes=True) for r in rows]
    return envelope(data, page=page, limit=limit, total=total, has_more=page * limit < total)
