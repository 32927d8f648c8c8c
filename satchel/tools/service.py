"""Running tools for callers: inputs from uploads or stored assets, results in workspaces,
saved back as assets or versions on request, batches as streamed ZIPs."""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from satchel.assets import service as assets
from satchel.blobs.verify import check_size, read_verified
from satchel.errors import Invalid, SatchelError
from satchel.media.sniff import sniff_file
from satchel.preferences import service as preferences
from satchel.runtime import Runtime
from satchel.tools import registry, runner
from satchel.tools.base import (
    InputFile,
    Inputs,
    OutputFile,
    Tool,
    ToolLimits,
    ToolResult,
    safe_name,
)
from satchel.tools.workspace import Workspace
from satchel.uploads.outputs import save_output


class Part(Protocol):
    """A received file part (see `satchel.api.receive.ReceivedFile`)."""

    field: str
    filename: str
    content_type: str | None
    path: Path


MAIN_FIELDS = frozenset({"file", "files", "file[]", "files[]"})
SAVE_MODES = frozenset({"asset", "version"})


def disabled_tools(runtime: Runtime) -> frozenset[str]:
    with runtime.db.session() as session:
        value = preferences.get_value(session, "disabledTools")
    return frozenset(value or ())


def limits_of(runtime: Runtime) -> ToolLimits:
    s = runtime.settings
    return ToolLimits(max_image_edge=s.max_image_edge, max_image_pixels=s.max_image_pixels)


def find(runtime: Runtime, *, section: str | None, tool_id: str) -> Tool[Any]:
    return registry.get(tool_id, section=section, disabled=disabled_tools(runtime))


def catalog(runtime: Runtime) -> list[dict[str, Any]]:
    disabled = disabled_tools(runtime)
    with runtime.db.session() as session:
        experimental = bool(preferences.get_value(session, "enableExperimentalTools"))
    out = []
    for t in registry.tools().values():
        if t.id in disabled or (t.experimental and not experimental):
            continue
        out.append(describe(t))
    return out


def describe(t: Tool[Any]) -> dict[str, Any]:
    why = t.unavailable()
    return {
        "id": t.id,
        "section": t.section,
        "name": t.name,
        "description": t.description,
        "settings_schema": t.schema(),
        "inputs": {
            "min_files": t.inputs.min_files,
            "max_files": t.inputs.max_files,
            "accepts": list(t.inputs.accepts),
            "extras": [
                {"name": e.name, "accepts": list(e.accepts), "required": e.required}
                for e in t.inputs.extras
            ],
        },
        "produces": list(t.produces),
        "async": t.slow,
        "pipeline": t.pipeline,
        "actions": sorted(t.actions),
        "available": why is None,
        "unavailable_reason": why,
    }


# Inputs ---------------------------------------------------------------------------------


def identify(runtime: Runtime, path: Path, *, name: str, declared: str | None) -> InputFile:
    """An uploaded input, sniffed like any upload (corrupt and disallowed files refused)."""
    media = sniff_file(path, declared_type=declared, filename=name, limits=runtime.limits)
    return InputFile(path, safe_name(name), media.media_type)


def from_asset(
    runtime: Runtime, ws: Workspace, *, owner_id: str | None, asset_id: str, index: int
) -> InputFile:
    """A stored asset's bytes, checked as they are read, copied into the workspace."""
    with runtime.db.session() as session:
        asset = assets.get(session=session, owner_id=owner_id, asset_id=asset_id)
        if asset.sha256 is None or asset.blob is None:
            raise Invalid(f"The asset {asset_id} has no bytes yet.", code="asset_not_uploaded")
        sha, size, sums = asset.sha256, asset.size, asset.blob.chunk_sums
        name, media_type = asset.filename, asset.media_type
    check_size(runtime.blobs, sha256=sha, size=size)
    path = ws.inputs / f"asset-{index:04d}"
    with path.open("wb") as fh:
        for piece in read_verified(runtime.blobs, sha256=sha, size=size, chunk_sums=sums):
            fh.write(piece)
    return InputFile(path, safe_name(name), media_type)


@dataclass
class Request:
    """What a caller asked for, whatever the route: the inputs and the options."""

    inputs: Inputs
    raw_settings: dict[str, Any]
    save: str | None = None  # "asset" | "version"
    save_parent: str | None = None  # asset id a version continues
    force_async: bool = False
    rejected: dict[int, SatchelError] = field(default_factory=dict)  # batch: by file index


def build_request(
    runtime: Runtime,
    ws: Workspace,
    *,
    owner_id: str | None,
    received: Sequence[Part] | None,
    options: dict[str, Any],
    batch: bool = False,
) -> Request:
    """Turn received parts and options (`settings`, `asset_id`, `save`, `async`) into inputs.

    In a batch, a main file that cannot be read is kept with its error (it becomes an
    error entry in the ZIP) instead of failing the whole request.
    """
    files: list[InputFile] = []
    extras: dict[str, InputFile] = {}
    rejected: dict[int, SatchelError] = {}
    for part in received or []:
        try:
            inp = identify(runtime, part.path, name=part.filename, declared=part.content_type)
        except SatchelError as exc:
            if not (batch and part.field in MAIN_FIELDS):
                raise
            rejected[len(files)] = exc
            inp = InputFile(part.path, safe_name(part.filename), "application/octet-stream")
        if part.field in MAIN_FIELDS:
            files.append(inp)
        elif part.field in extras:
            raise Invalid(f"Send one {part.field!r} part.", code="tool_input_unexpected")
        else:
            extras[part.field] = inp
    asset_ids = _asset_ids(options)
    for i, asset_id in enumerate(asset_ids):
        files.append(from_asset(runtime, ws, owner_id=owner_id, asset_id=asset_id, index=i))
    raw = options.get("settings")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise Invalid(
                f"`settings` is not valid JSON: {exc.msg}.",
                fields=[{"field": "settings", "message": "not valid JSON"}],
            ) from exc
    raw = raw if raw is not None else {}
    if not isinstance(raw, dict):
        raise Invalid(
            "`settings` must be a JSON object.",
            fields=[{"field": "settings", "message": "not an object"}],
        )
    save = options.get("save")
    file_id = raw.get("fileId") or raw.get("file_id")
    parent = None
    if file_id:  # the seed's auto-save: the result becomes a new version of that file
        save, parent = "version", str(file_id)
    if save is not None and save not in SAVE_MODES:
        raise Invalid(
            "`save` is `asset` or `version`.",
            fields=[{"field": "save", "message": "asset or version"}],
        )
    if save == "version" and parent is None:
        if len(asset_ids) != 1:
            raise Invalid(
                "Saving as a version needs exactly one stored input (`asset_id`) or `fileId`.",
                code="tool_save_needs_asset",
            )
        parent = asset_ids[0]
    return Request(
        inputs=Inputs(tuple(files), extras),
        raw_settings=raw,
        save=save,
        save_parent=parent,
        force_async=str(options.get("async", "")).lower() in ("1", "true", "yes"),
        rejected=rejected,
    )


def _asset_ids(options: dict[str, Any]) -> list[str]:
    value = options.get("asset_id") or options.get("assetId") or options.get("asset_ids") or []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(
            "`asset_id` is an id or a list of ids.",
            fields=[{"field": "asset_id", "message": "ids"}],
        )
    return value


# Running --------------------------------------------------------------------------------


def run_into(
    runtime: Runtime,
    ws: Workspace,
    *,
    run: Callable[[Path], ToolResult],
    tool_id: str,
    inputs: Inputs,
) -> dict[str, Any]:
    """Run into the workspace's out/ folder and record the outcome in its manifest."""
    started = time.perf_counter()
    try:
        result = run(ws.outputs)
    except SatchelError as exc:
        ws.write_manifest(status="failed", error={"code": exc.code, "message": exc.message})
        raise
    files = result.files
    if len(files) > 1:
        files = [*files, _zip_outputs(ws, files, tool_id)]
    original = sum(f.path.stat().st_size for f in inputs.files)
    manifest = ws.write_manifest(
        status="completed",
        files=[{"name": f.name, "media_type": f.media_type, "size": f.size} for f in files],
        data=result.data,
        original_size=original,
        processed_size=sum(f.size for f in result.files),
        seconds=round(time.perf_counter() - started, 4),
    )
    return manifest


def _zip_outputs(ws: Workspace, files: list[OutputFile], tool_id: str) -> OutputFile:
    name = f"{tool_id}-results.zip"
    path = ws.outputs / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for f in files:
            zf.write(f.path, f.name)
    return OutputFile(path, name, "application/zip")


def run_tool(
    runtime: Runtime,
    ws: Workspace,
    *,
    tool: Tool[Any],
    request: Request,
    report: Callable[[int, str | None], None] | None = None,
) -> dict[str, Any]:
    settings = runner.parse_settings(tool, request.raw_settings)
    return run_into(
        runtime,
        ws,
        run=lambda out: runner.run(
            tool, request.inputs, settings, workdir=out, limits=limits_of(runtime), report=report
        ),
        tool_id=tool.id,
        inputs=request.inputs,
    )


def save_results(
    runtime: Runtime, ws: Workspace, *, owner_id: str, request: Request, manifest: dict[str, Any]
) -> dict[str, Any]:
    """Store the main outputs as assets (or as a version of the input) when the request
    asks to; returns the manifest with the saved ids."""
    if request.save is None:
        return manifest
    files = [
        f
        for f in manifest.get("files", [])
        if f["media_type"] != "application/zip" or len(manifest["files"]) == 1
    ]
    saved = []
    skipped = []
    for f in files:
        try:
            saved.append(
                save_output(
                    db=runtime.db,
                    blobs=runtime.blobs,
                    limits=runtime.limits,
                    owner_id=owner_id,
                    path=ws.output_path(f["name"]),
                    filename=f["name"],
                    media_type=f["media_type"],
                    parent_id=request.save_parent if request.save == "version" else None,
                )
            )
        except Invalid as exc:  # a type the store does not take (an .ico, say): say so
            if exc.code != "asset_content_type_not_allowed" or len(files) == 1:
                raise
            skipped.append({"name": f["name"], "code": exc.code, "message": exc.message})
    ids = [s.asset.id for s in saved]
    runtime.queue.enqueue(*[s.job_id for s in saved if s.job_id])
    return ws.write_manifest(saved_asset_ids=ids, not_saved=skipped)


def view(ws: Workspace, manifest: dict[str, Any], *, base: str) -> dict[str, Any]:
    """The seed's answer: job id, download URL, sizes; plus every file and the data."""
    files = manifest.get("files", [])
    main = files[-1] if len(files) > 1 else (files[0] if files else None)

    def url(name: str) -> str:
        return f"{base}/api/v1/download/{ws.id}/{name}"

    return {
        "job_id": ws.id,
        "status": manifest.get("status"),
        "download_url": url(main["name"]) if main else None,
        "original_size": manifest.get("original_size", 0),
        "processed_size": manifest.get("processed_size", 0),
        "files": [{**f, "download_url": url(f["name"])} for f in files],
        "data": manifest.get("data"),
        "saved_asset_ids": manifest.get("saved_asset_ids", []),
        "not_saved": manifest.get("not_saved", []),
    }


def enqueue(
    runtime: Runtime,
    ws: Workspace,
    *,
    owner_id: str,
    tool_id: str,
    request: Request,
    pipeline: list[Any] | None = None,
) -> str:
    """Queue the run (a tool, or a pipeline's steps) on a worker; the job id is the
    workspace's, so downloads and progress use one id."""
    from satchel.jobs import service as jobs
    from satchel.tools.jobs import RUN_TOOL, request_params

    with runtime.db.write_session() as session:
        job = jobs.create(
            session,
            kind=RUN_TOOL,
            owner_id=owner_id,
            params=request_params(ws, tool_id, request, pipeline=pipeline),
        )
        job.id = ws.id
        session.commit()
    ws.write_manifest(status="queued")
    runtime.queue.enqueue(ws.id)
    return ws.id


def accepted(job_id: str, *, base: str) -> dict[str, Any]:
    """The 202 answer of a queued run."""
    return {
        "job_id": job_id,
        "async": True,
        "progress_url": f"{base}/api/v1/jobs/{job_id}/progress",
    }
