"""Workspaces: a folder per tool run, holding its inputs, its outputs and a manifest.

`data/workspace/<job id>/` has `in/`, `out/` and `manifest.json` (owner, tool, status,
the outputs). Fast runs never touch the database: the manifest alone answers downloads.
Workspaces expire after `tool_workspace_seconds` and are swept by GC and at startup.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satchel.codes import Code
from satchel.errors import NotFound
from satchel.ids import new_id
from satchel.jobs.models import JobState

_ID = re.compile(r"^job_[0-9A-Za-z]{10,40}$")
MANIFEST = "manifest.json"


def result_not_found(job_id: str, *, expired: bool = False) -> NotFound:
    # One message whether the result never existed, expired or is someone else's: the
    # answer must not tell a caller which job ids exist.
    del expired
    return NotFound(
        f"No tool result {job_id} (it may have expired).", code=Code.TOOL_RESULT_NOT_FOUND
    )


def root(data_dir: Path) -> Path:
    return data_dir / "workspace"


@dataclass(frozen=True)
class Workspace:
    id: str
    path: Path

    @property
    def inputs(self) -> Path:
        return self.path / "in"

    @property
    def outputs(self) -> Path:
        return self.path / "out"

    def manifest(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads((self.path / MANIFEST).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return data

    def write_manifest(self, **values: Any) -> dict[str, Any]:
        """Merge `values` into the manifest, replacing the file atomically."""
        data = {**self.manifest(), **values}
        tmp = self.path / f".{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, default=str))
        os.replace(tmp, self.path / MANIFEST)
        return data

    def output_path(self, filename: str) -> Path:
        """The path of an output by its name; names never leave the out/ folder."""
        candidate = (self.outputs / filename).resolve()
        if candidate.parent != self.outputs.resolve() or not candidate.is_file():
            raise NotFound(f"No file {filename} in {self.id}.", code=Code.TOOL_RESULT_NOT_FOUND)
        return candidate

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def create(data_dir: Path, *, owner_id: str, tool: str, job_id: str | None = None) -> Workspace:
    job_id = job_id or new_id("job")
    ws = Workspace(job_id, root(data_dir) / job_id)
    ws.inputs.mkdir(parents=True)
    ws.outputs.mkdir()
    ws.write_manifest(owner_id=owner_id, tool=tool, status=JobState.RUNNING, created_at=time.time())
    return ws


def open_workspace(data_dir: Path, job_id: str) -> Workspace:
    if not _ID.match(job_id):
        raise result_not_found(job_id)
    ws = Workspace(job_id, root(data_dir) / job_id)
    if not ws.path.is_dir():
        raise result_not_found(job_id, expired=True)
    return ws


def sweep(data_dir: Path, *, older_than: float) -> int:
    """Remove workspaces whose last change is older than `older_than` seconds."""
    folder = root(data_dir)
    if not folder.is_dir():
        return 0
    limit = time.time() - older_than
    removed = 0
    for entry in folder.iterdir():
        try:
            if entry.stat().st_mtime < limit and _newest(entry) < limit:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _newest(path: Path) -> float:
    newest = path.stat().st_mtime
    for sub in ("in", "out", MANIFEST):
        with contextlib.suppress(FileNotFoundError):
            newest = max(newest, (path / sub).stat().st_mtime)
    return newest
