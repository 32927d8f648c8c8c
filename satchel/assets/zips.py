"""Assets as a ZIP and back, for space and folder exports: `manifest.json` (what the
export is, and each file's name, folder, description, alt text, tags, attributes, type,
size and SHA-256) plus `files/`. Bytes are checked as they are read out of the store, and
every file of an import against its SHA-256 before anything is stored."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from satchel.assets.models import Asset
from satchel.assets.schemas import AssetFields
from satchel.blobs.verify import read_verified
from satchel.codes import Code
from satchel.errors import Invalid, TooLarge
from satchel.runtime import Runtime
from satchel.uploads.ingest import Intent, ingest

MANIFEST = "manifest.json"


def member_name(position: int, filename: str, folder: str = "") -> str:
    """`files/[folder/]0001-name`: safe characters only, so no member escapes `files/`."""

    def safe(part: str) -> str:
        return "".join(c if c.isalnum() or c in "._- " else "_" for c in part).strip(" .")

    parts = [safe(p) or "_" for p in folder.strip("/").split("/") if p]
    return "/".join(["files", *parts, f"{position:04d}-{safe(filename) or 'file'}"])


def rows(
    assets: Sequence[Asset], *, folder_of: Callable[[Asset], str] | None = None
) -> list[dict[str, Any]]:
    """The manifest rows of assets with bytes; `folder_of` gives each one's folder (kept)."""
    out = []
    for i, a in enumerate((a for a in assets if a.sha256 is not None), 1):
        folder = folder_of(a) if folder_of else ""
        row = {
            "file": member_name(i, a.filename or a.id, folder),
            "filename": a.filename,
            "media_type": a.media_type,
            "size": a.size,
            "sha256": a.sha256,
            "description": a.description,
            "alt_text": a.alt_text,
            "tags": list(a.tags or []),
            "attributes": dict(a.attributes or {}),
        }
        if folder_of:
            row["folder"] = folder
        out.append(row)
    return out


def write(runtime: Runtime, manifest: dict[str, Any], assets: Sequence[Asset]) -> IO[bytes]:
    """A ZIP of `manifest` and each asset's bytes (its rows in `manifest["assets"]`), in a
    temporary file, rewound. The caller closes it."""
    by_sha = {a.sha256: a for a in assets if a.sha256 is not None}
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
            for row in manifest["assets"]:
                asset = by_sha[row["sha256"]]
                assert asset.blob is not None and asset.size is not None
                store = runtime.blobs.at(asset.store)
                with archive.open(row["file"], "w", force_zip64=True) as member:
                    for chunk in read_verified(
                        store,
                        sha256=row["sha256"],
                        size=asset.size,
                        chunk_sums=asset.blob.chunk_sums,
                    ):
                        member.write(chunk)
    except BaseException:
        out.close()  # a refused read (say, bytes that fail their checksum) leaves no file open
        raise
    out.seek(0)
    return out


def bad(message: str, field: str = "file") -> Invalid:
    return Invalid(
        message, code=Code.VALIDATION_ERROR, fields=[{"field": field, "message": message}]
    )


def open_checked(
    runtime: Runtime, path: Path, *, formats: Sequence[str]
) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """The opened ZIP and its manifest, once every listed file is there, the sizes fit one
    upload and every file matches its SHA-256 (nothing is half-imported)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise bad("The file is not a ZIP.") from exc
    try:
        try:
            manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
        except (KeyError, ValueError) as exc:
            raise bad(f"The ZIP has no readable {MANIFEST}.") from exc
        if manifest.get("format") not in formats or not isinstance(manifest.get("assets"), list):
            raise bad(f"{MANIFEST} is not a Satchel {' or '.join(formats)} export.")
        members = {i.filename: i for i in archive.infolist()}
        total = 0
        for row in manifest["assets"]:
            if not isinstance(row, dict) or members.get(str(row.get("file"))) is None:
                raise bad(f"{row!r:.80} is in {MANIFEST} but not in the ZIP.")
            total += members[row["file"]].file_size
        if total > runtime.settings.max_upload_bytes:
            raise TooLarge("The ZIP's files are larger than one upload may be.")
        for row in manifest["assets"]:
            digest = hashlib.sha256()
            with archive.open(members[row["file"]]) as member:
                while chunk := member.read(1 << 20):
                    digest.update(chunk)
            if digest.hexdigest() != row.get("sha256"):
                raise bad(f"{row['file']} does not match its SHA-256 in {MANIFEST}.")
    except BaseException:
        archive.close()
        raise
    return archive, manifest


def store_all(
    runtime: Runtime,
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    *,
    owner_id: str,
    folder_of: Callable[[dict[str, Any]], str | None] = lambda row: None,
    dedupe: bool = True,
) -> tuple[list[str], list[str]]:
    """Each file of a checked ZIP as a new asset (in `folder_of(row)`; without `dedupe`
    a copy even when the owner has those bytes already); returns the asset ids and the
    processing jobs to enqueue."""
    asset_ids, job_ids = [], []
    for row in manifest["assets"]:
        fields = AssetFields.model_validate(
            {k: row.get(k) for k in ("description", "alt_text", "tags", "attributes")}
            | {"folder": folder_of(row)}
        )
        writer = runtime.blobs.writer(None)
        try:
            with archive.open(row["file"]) as member:
                while chunk := member.read(1 << 20):
                    writer.write(chunk)
        except BaseException:
            writer.abort()
            raise
        intent = Intent(
            owner_id=owner_id,
            filename=row.get("filename"),
            declared_type=row.get("media_type"),
            fields=fields,
            mode="import",
            dedupe=dedupe,
        )
        done = ingest(
            db=runtime.db, blobs=runtime.blobs, limits=runtime.limits, writer=writer, intent=intent
        )
        asset_ids.append(done.asset.id)
        if done.job_id is not None:
            job_ids.append(done.job_id)
    return asset_ids, job_ids
