"""A folder (with its subfolders) as a ZIP and back (see `satchel.assets.zips`): each
file keeps its place in the tree, relative to the exported folder."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from satchel.assets import folders, zips
from satchel.assets.models import Asset
from satchel.assets.service import live
from satchel.codes import Code
from satchel.errors import NotFound
from satchel.runtime import Runtime

FORMAT = "satchel-folder"


def _relative(folder: str, root: str) -> str:
    return folder[len(root) :].strip("/") if root != folders.ROOT else folder.strip("/")


def export(*, runtime: Runtime, owner_id: str, path: str) -> tuple[IO[bytes], str]:
    """Everything in `path` and under it (not trashed) as a ZIP in a temporary file
    (rewound), and a download name. An empty or unknown folder is `404 folder_not_found`."""
    root = folders.normalize(path, field="path")
    with runtime.db.session() as session:
        stmt = select(Asset).where(Asset.owner_id == owner_id, live())
        selected = folders.selects(root, recursive=True)
        if selected is not None:
            stmt = stmt.where(selected)
        assets = list(session.scalars(stmt.order_by(Asset.folder, Asset.seq)).unique())
    if not assets:
        raise NotFound(f"There is no folder {root!r} with files in it.", code=Code.FOLDER_NOT_FOUND)
    rows = zips.rows(assets, folder_of=lambda a: _relative(a.folder, root))
    head: dict[str, Any] = {"path": root, "name": root.rsplit("/", 1)[-1] or "library"}
    manifest = {"format": FORMAT, "version": 1, "folder": head, "assets": rows}
    out = zips.write(runtime, manifest, assets)
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in head["name"])
    return out, f"{name}.zip"


def import_zip(
    *, runtime: Runtime, owner_id: str, path: Path, target: str | None
) -> tuple[str, list[str], list[str]]:
    """The ZIP's files under `target` (default: the folder it was exported from), each in
    its subfolder, every file checked against its SHA-256 first. Returns the folder, the
    new asset ids and the processing jobs to enqueue."""
    archive, manifest = zips.open_checked(runtime, path, formats=[FORMAT])
    with archive:
        head = manifest.get("folder") or {}
        root = folders.normalize(target or str(head.get("path") or "/"), field="path")
        for row in manifest["assets"]:  # every place first: a bad one stores nothing
            row["_folder"] = _place(root, row.get("folder"))
        asset_ids, job_ids = zips.store_all(
            runtime,
            archive,
            manifest,
            owner_id=owner_id,
            folder_of=lambda row: row["_folder"],
            dedupe=False,  # the tree comes back whole, even beside the files it copies
        )
    return root, asset_ids, job_ids


def _place(root: str, relative: Any) -> str:
    if relative in (None, ""):
        return root
    if not isinstance(relative, str):
        raise zips.bad("A file's `folder` in manifest.json is not a path.")
    inner = folders.normalize(relative, field="folder")  # refuses `..`, control characters
    return folders.normalize(root.rstrip("/") + inner, field="folder")
