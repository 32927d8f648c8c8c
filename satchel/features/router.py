"""`/features` and `/admin/features/...`: the optional engines and installing them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from satchel.api.deps import Access, ReadUser, RuntimeDep
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.features import service

router = APIRouter(tags=["features"])
ManageFeatures = Annotated[Principal, Depends(Access("admin", "features:manage"))]


@router.get("/features", summary="Every feature bundle and whether it is installed")
def list_features(_: ReadUser) -> Envelope[list[dict[str, Any]]]:
    return envelope(service.list_bundles())


@router.get("/admin/features/disk-usage", summary="Disk used by the installed models")
def disk_usage(_: ManageFeatures) -> Envelope[dict[str, Any]]:
    return envelope(service.disk_usage())


def _queued(runtime: Any, principal: Principal, bundle_id: str, install: bool) -> dict[str, Any]:
    with runtime.db.write_session() as session:
        queue = service.queue_install if install else service.queue_uninstall
        job_id = queue(session, bundle_id=bundle_id, actor_id=principal.user_id).id
        session.commit()
    runtime.queue.enqueue(job_id)
    return {"job_id": job_id, "bundle": service.describe(service.bundle(bundle_id))}


@router.post(
    "/admin/features/{bundle_id}/install",
    status_code=202,
    summary="Install a bundle's Python packages (a job); Debian ones answer the command",
)
def install(
    bundle_id: str, runtime: RuntimeDep, principal: ManageFeatures
) -> Envelope[dict[str, Any]]:
    return envelope(_queued(runtime, principal, bundle_id, True))


@router.post("/admin/features/{bundle_id}/uninstall", status_code=202, summary="Remove a bundle")
def uninstall(
    bundle_id: str, runtime: RuntimeDep, principal: ManageFeatures
) -> Envelope[dict[str, Any]]:
    return envelope(_queued(runtime, principal, bundle_id, False))
