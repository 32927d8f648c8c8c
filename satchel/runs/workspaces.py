"""Workspaces: a folder per tool run, holding its inputs, its outputs and a manifest.

`data/workspace/<job id>/` has `in/`, `out/` and `manifest.json` (owner, tool, status,
the outputs). Fast runs never touch the database: the manifest alone answers downloads.
Workspaces expire after `tool_workspace_seconds` and are swept by GC and at startup.

In scale-out mode (managed storage is S3) a workspace is also published to the bucket
(`SharedFiles`, under `workspaces/<job id>/`): its inputs when a run is queued (a worker on
another machine opens them), its outputs and manifest when the run ends, so any API node
serves the download. A node opening a workspace it has not seen finish fetches it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from satchel.blobs.base import SharedFiles
from satchel.codes import Code
from satchel.errors import NotFound
from satchel.ids import new_id
from satchel.jobs.models import JobState
from satchel.tools.base import InputFile, Inputs

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


FINISHED = frozenset({JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED})


def _shared_prefix(job_id: str) -> str:
    return f"workspaces/{job_id}/"


def publish(ws: Workspace, shared: SharedFiles | None, *, parts: tuple[str, ...]) -> None:
    """Copy `parts` (in, out) and then the manifest to the shared store (scale-out mode;
    nothing to do without one)."""
    if shared is None:
        return
    prefix = _shared_prefix(ws.id)
    for part in parts:
        for path in sorted((ws.path / part).rglob("*")):
            if path.is_file():
                shared.put_file(prefix + path.relative_to(ws.path).as_posix(), path)
    shared.put_file(prefix + MANIFEST, ws.path / MANIFEST)


def _fetch(ws: Workspace, shared: SharedFiles) -> None:
    """Bring the shared copy of a workspace to this node (manifest last: a node that sees
    a finished manifest has the outputs)."""
    prefix = _shared_prefix(ws.id)
    keys = [key for key, _ in shared.list(prefix)]
    if prefix + MANIFEST not in keys:
        return
    for key in keys:
        name = key.removeprefix(prefix)
        if name != MANIFEST and name.split("/", 1)[0] in ("in", "out") and ".." not in name:
            shared.get_file(key, ws.path / name)
    ws.outputs.mkdir(parents=True, exist_ok=True)
    ws.inputs.mkdir(parents=True, exist_ok=True)
    shared.get_file(prefix + MANIFEST, ws.path / MANIFEST)


def open_workspace(data_dir: Path, job_id: str, shared: SharedFiles | None = None) -> Workspace:
    """The workspace of `job_id`; with a shared store, fetched from it unless this node
    holds it finished."""
    if not _ID.match(job_id):
        raise result_not_found(job_id)
    ws = Workspace(job_id, root(data_dir) / job_id)
    if shared is not None and ws.manifest().get("status") not in FINISHED:
        _fetch(ws, shared)
    if not ws.path.is_dir():
        raise result_not_found(job_id, expired=True)
    return ws


def here(ws: Workspace, inputs: Inputs) -> Inputs:
    """The inputs a queued run recorded, at this node's copy of the workspace (the node
    that queued it wrote its own absolute paths)."""

    def moved(f: InputFile) -> InputFile:
        parts = f.path.parts
        if ws.id not in parts:
            return f
        rest = parts[len(parts) - parts[::-1].index(ws.id) :]
        return replace(f, path=ws.path.joinpath(*rest))

    return Inputs(
        tuple(moved(f) for f in inputs.files), {k: moved(v) for k, v in inputs.extras.items()}
    )


def sweep(data_dir: Path, *, older_than: float, shared: SharedFiles | None = None) -> int:
    """Remove workspaces whose last change is older than `older_than` seconds (this
    node's, and the shared copies); returns how many local ones went."""
    limit = time.time() - older_than
    if shared is not None:
        _sweep_shared(shared, limit)
    folder = root(data_dir)
    if not folder.is_dir():
        return 0
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


def _sweep_shared(shared: SharedFiles, limit: float) -> None:
    """Delete the shared copies of workspaces whose newest file is older than `limit`
    (every node may run this; deleting twice is harmless)."""
    newest: dict[str, float] = {}
    keys: dict[str, list[str]] = {}
    for key, moment in shared.list("workspaces/"):
        job_id = key.removeprefix("workspaces/").split("/", 1)[0]
        newest[job_id] = max(newest.get(job_id, 0.0), moment)
        keys.setdefault(job_id, []).append(key)
    old = [key for job_id, at in newest.items() if at < limit for key in keys[job_id]]
    # Avatars staged by a signed PUT and never completed (the link lasts 15 minutes).
    old += [key for key, moment in shared.list("avatars/") if moment < limit]
    if old:
        shared.delete(old)
