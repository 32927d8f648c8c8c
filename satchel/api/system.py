"""Health and configuration endpoints that are not about one capability."""

from __future__ import annotations

import os
import shutil
import time
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from satchel import __version__
from satchel.api.deps import Public, RuntimeDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal

router = APIRouter(tags=["system"])

SeeHealth = Annotated[Principal, caller("read", "system:health")]


@router.get("/health", summary="Liveness and database status (public)")
def health(runtime: RuntimeDep, _: Public) -> JSONResponse:
    ok = runtime.db.ping()
    body = {"status": "healthy" if ok else "unhealthy", "version": __version__}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/config/auth", summary="Whether authentication is on (public)")
def auth_config(_: Public) -> Envelope[dict[str, bool]]:
    return envelope({"authEnabled": True})


def _gpu() -> dict[str, Any]:
    if shutil.which("nvidia-smi") or os.path.exists("/dev/nvidia0"):
        return {"available": True}
    return {"available": False, "reason": "no NVIDIA device on this machine"}


@router.get("/admin/health", summary="Detailed diagnostics")
def admin_health(runtime: RuntimeDep, _: SeeHealth) -> Envelope[dict[str, Any]]:
    db_ok = runtime.db.ping()
    usage = shutil.disk_usage(runtime.settings.data_dir)
    return envelope(
        {
            "status": "healthy" if db_ok else "unhealthy",
            "version": __version__,
            "uptime_seconds": round(time.time() - runtime.started_at, 1),
            "storage": {"mode": "local", "free_bytes": usage.free, "total_bytes": usage.total},
            "database": {
                "status": "up" if db_ok else "down",
                "dialect": runtime.db.engine.dialect.name,
            },
            "queue": {
                "mode": runtime.queue.mode,
                "reachable": runtime.queue.ping(),
                "pending": runtime.queue.pending() if runtime.queue.ping() else None,
                "workers_here": runtime.workers.count if runtime.workers else 0,
            },
            "gpu": _gpu(),
        }
    )
