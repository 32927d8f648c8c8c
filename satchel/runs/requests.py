"""What a run was asked to do, whatever the route: its inputs (uploaded parts or stored
assets, sniffed like any upload) and its options (`settings`, `save`, `async`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from satchel import userjson
from satchel.assets import service as assets
from satchel.blobs.verify import check_size, read_verified
from satchel.codes import Code
from satchel.errors import Invalid, SatchelError
from satchel.media.sniff import sniff_file
from satchel.runs.workspaces import Workspace
from satchel.runtime import Runtime
from satchel.tools.base import InputFile, Inputs, safe_name


class Part(Protocol):
    """A received file part (see `satchel.api.receive.ReceivedFile`)."""

    field: str
    filename: str
    content_type: str | None
    path: Path


MAIN_FIELDS = frozenset({"file", "files", "file[]", "files[]"})
SAVE_MODES = frozenset({"asset", "version"})


# Types a tool may take that are never stored as assets (served from our origin, HTML
# would run there): html-to-pdf and the EPUB tools read them, nothing keeps them.
TOOL_ONLY_TYPES = frozenset({"text/html", "application/epub+zip"})


def identify(runtime: Runtime, path: Path, *, name: str, declared: str | None) -> InputFile:
    """An uploaded input, sniffed like any upload (corrupt and disallowed files refused)."""
    limits = replace(runtime.limits, allowed_types=runtime.limits.allowed_types | TOOL_ONLY_TYPES)
    media = sniff_file(path, declared_type=declared, filename=name, limits=limits)
    return InputFile(path, safe_name(name), media.media_type)


def from_asset(
    runtime: Runtime, ws: Workspace, *, owner_id: str | None, asset_id: str, index: int
) -> InputFile:
    """A stored asset's bytes, checked as they are read, copied into the workspace."""
    with runtime.db.session() as session:
        asset = assets.get(session=session, owner_id=owner_id, asset_id=asset_id)
        if asset.sha256 is None or asset.blob is None:
            raise Invalid(f"The asset {asset_id} has no bytes yet.", code=Code.ASSET_NOT_UPLOADED)
        sha, size, sums = asset.sha256, asset.size, asset.blob.chunk_sums
        name, media_type, location = asset.filename, asset.media_type, asset.store
    store = runtime.blobs.at(location)
    check_size(store, sha256=sha, size=size)
    path = ws.inputs / f"asset-{index:04d}"
    with path.open("wb") as fh:
        for piece in read_verified(store, sha256=sha, size=size, chunk_sums=sums):
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
            raise Invalid(f"Send one {part.field!r} part.", code=Code.TOOL_INPUT_UNEXPECTED)
        else:
            extras[part.field] = inp
    asset_ids = _asset_ids(options)
    for i, asset_id in enumerate(asset_ids):
        files.append(from_asset(runtime, ws, owner_id=owner_id, asset_id=asset_id, index=i))
    raw = options.get("settings")
    if isinstance(raw, str):
        try:
            raw = userjson.loads(raw, field="settings") if raw.strip() else {}
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
                code=Code.TOOL_SAVE_NEEDS_ASSET,
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
