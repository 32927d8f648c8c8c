"""`/assets/gc` and `/status`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from satchel import __version__
from satchel.api.deps import Public, RuntimeDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.assets.schemas import Request
from satchel.auth.service import Principal
from satchel.lifecycle.gc import collect

router = APIRouter(tags=["lifecycle"])

ManageFiles = Annotated[Principal, caller("admin", "files:all")]


class GcBody(Request):
    dry_run: bool = True
    grace_seconds: float | None = Field(None, ge=0)


@router.post("/assets/gc", summary="Plan or run garbage collection (dry run by default)")
async def gc(
    runtime: RuntimeDep, _: ManageFiles, body: GcBody | None = None
) -> Envelope[dict[str, Any]]:
    body = body or GcBody()
    grace = (
        body.grace_seconds if body.grace_seconds is not None else runtime.settings.gc_grace_seconds
    )
    report = await run_in_threadpool(
        lambda: collect(
            db=runtime.db, blobs=runtime.blobs, dry_run=body.dry_run, grace_seconds=grace
        )
    )
    return envelope(report)


@router.get("/status", summary="Service status with the startup repair summary (public)")
def status(runtime: RuntimeDep, _: Public) -> Envelope[dict[str, Any]]:
    repair = runtime.repair_summary or {"level": "info", "ran": False}
    return envelope(
        {
            "status": "ok" if runtime.db.ping() else "degraded",
            "version": __version__,
            "storage": {"mode": "local", "asset_repair": repair},
        }
    )
