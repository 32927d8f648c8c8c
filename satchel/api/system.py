"""Health and configuration endpoints that are not about one capability."""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from satchel import __version__
from satchel.api.deps import Public, RuntimeDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.db import utcnow
from satchel.jobs.models import Job, JobState
from satchel.media import browser
from satchel.runtime import Runtime

router = APIRouter(tags=["system"])

SeeHealth = Annotated[Principal, caller("read", "system:health")]


@router.get("/health", summary="Liveness and database status (public)")
def health(runtime: RuntimeDep, _: Public) -> JSONResponse:
    ok = runtime.db.ping()
    body = {"status": "healthy" if ok else "unhealthy", "version": __version__}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/config/auth", summary="Whether authentication is on (public)")
def auth_config(_: Public) -> dict[str, bool]:
    """The seed's shape, bare like `/health` (`{"authEnabled": true}`): Satchel has no
    mode without authentication."""
    return {"authEnabled": True}


def _gpu() -> dict[str, Any]:
    if shutil.which("nvidia-smi") or os.path.exists("/dev/nvidia0"):
        return {"available": True}
    return {"available": False, "reason": "no NVIDIA device on this machine"}


def _module(name: str, install: str) -> str | None:
    return None if importlib.util.find_spec(name) is not None else f"not installed ({install})"


def _program(name: str, install: str) -> str | None:
    return None if shutil.which(name) else f"{name} is not on PATH ({install})"


# Optional engines (DESIGN.md): name -> why it cannot run here, or None.
ENGINES: dict[str, Callable[[], str | None]] = {
    "libvips": lambda: _module("pyvips", "uv sync"),
    "ffmpeg (PyAV)": lambda: _module("av", "uv sync"),
    "pdfium": lambda: _module("pypdfium2", "uv sync"),
    "chromium": browser.available,
    "libreoffice": lambda: _program("soffice", "apt-get install libreoffice-writer-nogui"),
    "tesseract": lambda: _program("tesseract", "apt-get install tesseract-ocr"),
    "pandoc": lambda: _program("pandoc", "apt-get install pandoc"),
}


def _engines() -> dict[str, dict[str, Any]]:
    found = {}
    for name, check in ENGINES.items():
        why = check()
        found[name] = {"available": why is None, **({"reason": why} if why else {})}
    return found


def _database(runtime: Runtime) -> dict[str, Any]:
    started = time.perf_counter()
    ok = runtime.db.ping()
    return {
        "status": "up" if ok else "down",
        "dialect": runtime.db.engine.dialect.name,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def _jobs(runtime: Runtime) -> dict[str, Any]:
    with runtime.db.session() as session:
        rows = session.execute(
            select(Job.status, func.count(), func.min(Job.created_at), func.max(Job.heartbeat_at))
            .where(Job.status.in_([JobState.QUEUED, JobState.RUNNING]))
            .group_by(Job.status)
        ).all()
    now, out = utcnow(), dict[str, float]({"queued": 0, "running": 0})
    for status, count, oldest, beat in rows:
        out[status] = count
        if status == JobState.QUEUED and oldest is not None:
            out["oldest_queued_seconds"] = round((now - oldest).total_seconds(), 1)
        if status == JobState.RUNNING and beat is not None:
            out["last_heartbeat_seconds_ago"] = round((now - beat).total_seconds(), 1)
    return out


@router.get("/admin/health", summary="Detailed diagnostics")
def admin_health(runtime: RuntimeDep, _: SeeHealth) -> Envelope[dict[str, Any]]:
    database = _database(runtime)
    usage = shutil.disk_usage(runtime.settings.data_dir)
    reachable = runtime.queue.ping()
    return envelope(
        {
            "status": "healthy" if database["status"] == "up" else "unhealthy",
            "version": __version__,
            "uptime_seconds": round(time.time() - runtime.started_at, 1),
            "storage": {
                "mode": "s3" if runtime.settings.blobs_url else "local",
                "data_dir": str(runtime.settings.data_dir),
                "free_bytes": usage.free,
                "total_bytes": usage.total,
            },
            "database": database,
            "queue": {
                "mode": runtime.queue.mode,
                "reachable": reachable,
                "pending": runtime.queue.pending() if reachable else None,
                **_jobs(runtime),
            },
            "workers": {
                "threads_here": runtime.workers.count if runtime.workers else 0,
                "configured": runtime.settings.workers,
            },
            "engines": _engines(),
            "gpu": _gpu(),
        }
    )
