"""Listing the feature bundles with their state, their disk usage, and installing or
removing the Python ones as jobs (Debian packages need root: the answer gives the command)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from satchel.codes import Code
from satchel.errors import Conflict, NotFound
from satchel.features.catalog import BUNDLES, BY_ID, Bundle, version_of
from satchel.jobs import service as jobs
from satchel.jobs.models import Job
from satchel.media import ml
from satchel.media.ml import ocr

INSTALL = "features.install"
UNINSTALL = "features.uninstall"


def bundle(bundle_id: str) -> Bundle:
    found = BY_ID.get(bundle_id)
    if found is None:
        raise NotFound(
            f"No feature bundle {bundle_id!r} (known: {', '.join(BY_ID)}).",
            code=Code.FEATURE_NOT_FOUND,
        )
    return found


def size_of(b: Bundle) -> int:
    return sum(ml.size_on_disk(p) for p in b.paths() if p.exists())


def debian_missing(b: Bundle) -> list[str]:
    """The bundle's Debian packages that dpkg does not list as installed."""
    if not b.debian or shutil.which("dpkg-query") is None:
        return list(b.debian) if b.debian else []
    done = subprocess.run(  # noqa: S603 - fixed arguments
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *b.debian],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    installed = {
        line.split()[0].split(":")[0]
        for line in done.stdout.splitlines()
        if line.endswith(" installed")
    }
    return [p for p in b.debian if p not in installed]


def describe(b: Bundle) -> dict[str, Any]:
    why = b.probe()
    versions = {d: version_of(d) for d in b.distributions}
    out: dict[str, Any] = {
        "id": b.id,
        "name": b.name,
        "description": b.description,
        "installed": why is None,
        "reason": why,
        "version": next((v for v in versions.values() if v), None),
        "versions": versions,
        "size_on_disk": size_of(b) if why is None else 0,
        "licence": b.licence,
        "default": b.default,
        "install": {
            "python": list(b.python),
            "debian": list(b.debian),
            "debian_command": b.debian_command,
            "self_service": bool(b.python) and not b.default,
        },
    }
    if b.id == "ocr":
        out["version"] = ocr.version() or out["version"]
        out["languages"] = ocr.languages()
    return out


def list_bundles() -> list[dict[str, Any]]:
    return [describe(b) for b in BUNDLES]


def missing_defaults() -> list[str]:
    """One line per default bundle that is not ready, with how to add it."""
    lines = []
    for b in BUNDLES:
        why = b.probe() if b.default else None
        if why:
            how = b.debian_command or f"uv pip install {' '.join(b.python)}"
            lines.append(f"{b.name}: {why} Add it with: {how}")
    return lines


def disk_usage() -> dict[str, Any]:
    sizes = {b.id: size_of(b) for b in BUNDLES}
    return {"total_bytes": sum(sizes.values()), "bundles": sizes}


def _refuse_system_only(b: Bundle) -> None:
    if not b.python:
        raise Conflict(
            f"{b.name} is made of Debian packages, which need root. Run: {b.debian_command}",
            code=Code.FEATURE_NEEDS_SYSTEM_PACKAGES,
        )


def queue_install(session: Session, *, bundle_id: str, actor_id: str | None) -> Job:
    b = bundle(bundle_id)
    _refuse_system_only(b)
    return jobs.create(session, kind=INSTALL, owner_id=actor_id, params={"bundle": b.id})


def queue_uninstall(session: Session, *, bundle_id: str, actor_id: str | None) -> Job:
    b = bundle(bundle_id)
    _refuse_system_only(b)
    if b.default:
        raise Conflict(
            f"{b.name} is part of Satchel's own dependencies and cannot be removed here.",
            code=Code.FEATURE_BUILTIN,
        )
    return jobs.create(session, kind=UNINSTALL, owner_id=actor_id, params={"bundle": b.id})


def pip_command(action: str, requirements: list[str]) -> list[str]:
    """`uv pip` into this interpreter's environment when uv is there, else pip."""
    uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    if Path(uv).is_file():
        return [uv, "pip", action, "--python", sys.executable, *requirements]
    extra = ["-y"] if action == "uninstall" else []
    return [sys.executable, "-m", "pip", action, *extra, *requirements]


def run_pip(action: str, b: Bundle, *, timeout: float = 1800) -> dict[str, Any]:
    """Install or remove the bundle's Python packages; what happened, for the job result."""
    if action == "install" and b.probe() is None:
        return {"bundle": b.id, "changed": False, "installed": True}
    names = list(b.python) if action == "install" else [d for d in b.distributions[:1]]
    done = subprocess.run(  # noqa: S603 - the command is built from the catalog
        pip_command(action, names), capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{action} failed: {' '.join(tail)}")
    missing = debian_missing(b)
    return {
        "bundle": b.id,
        "changed": True,
        "installed": b.probe() is None,
        "debian_missing": missing,
        "debian_command": f"apt-get install -y {' '.join(missing)}" if missing else None,
    }
