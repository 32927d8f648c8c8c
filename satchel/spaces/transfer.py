"""A space as a ZIP and back: `manifest.json` (the space, and each file's name,
description, alt text, tags, attributes, type, size and SHA-256) plus `files/`."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

from satchel.assets.schemas import AssetFields
from satchel.codes import Code
from satchel.errors import Invalid, TooLarge
from satchel.runtime import Runtime
from satchel.spaces import service
from satchel.uploads.ingest import Intent, ingest

FORMAT = "satchel-space"
MANIFEST = "manifest.json"


def _member(position: int, filename: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in filename).strip() or "file"
    return f"files/{position:04d}-{safe}"


def export(*, runtime: Runtime, owner_id: str | None, space_id: str) -> tuple[IO[bytes], str]:
    """The space as a ZIP in a temporary file (rewound), and a download name."""
    with runtime.db.session() as session:
        space = service.get(session, owner_id=owner_id, space_id=space_id)
        assets = list(reversed(service.published_assets(session, space.id)))  # oldest first
        head: dict[str, Any] = {"name": space.name, "description": space.description}
        head["visibility"] = space.visibility
        head["strip_metadata"] = space.strip_metadata
        head["allow_download"] = space.allow_download
        rows: list[dict[str, Any]] = [
            {
                "file": _member(i, a.filename or a.id),
                "filename": a.filename,
                "media_type": a.media_type,
                "size": a.size,
                "sha256": a.sha256,
                "description": a.description,
                "alt_text": a.alt_text,
                "tags": list(a.tags or []),
                "attributes": dict(a.attributes or {}),
            }
            for i, a in enumerate(assets, 1)
            if a.sha256 is not None
        ]
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        manifest = {"format": FORMAT, "version": 1, "space": head, "assets": rows}
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
        for row in rows:
            with archive.open(row["file"], "w", force_zip64=True) as member:
                for chunk in runtime.blobs.read(row["sha256"]):
                    member.write(chunk)
    out.seek(0)
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in head["name"] or "space")
    return out, f"{name}.zip"


def _bad(message: str, field: str = "file") -> Invalid:
    return Invalid(
        message, code=Code.VALIDATION_ERROR, fields=[{"field": field, "message": message}]
    )


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise _bad(f"The ZIP has no readable {MANIFEST}.") from exc
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("assets"), list):
        raise _bad(f"{MANIFEST} is not a Satchel space export.")
    return manifest


def import_zip(
    *, runtime: Runtime, owner_id: str, path: Path, name: str | None
) -> tuple[Any, list[str], list[str]]:
    """A new space holding the ZIP's files (each checked against its SHA-256); returns the
    space, its asset ids, and the processing jobs to enqueue."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _bad("The file is not a ZIP.") from exc
    with archive:
        manifest = _manifest(archive)
        members = {i.filename: i for i in archive.infolist()}
        total = 0
        for row in manifest["assets"]:
            info = members.get(str(row.get("file")))
            if info is None:
                raise _bad(f"{row.get('file')} is in {MANIFEST} but not in the ZIP.")
            total += info.file_size
        if total > runtime.settings.max_upload_bytes:
            raise TooLarge("The ZIP's files are larger than one upload may be.")
        for row in manifest["assets"]:  # every checksum first: nothing is half-imported
            digest = hashlib.sha256()
            with archive.open(members[row["file"]]) as member:
                while chunk := member.read(1 << 20):
                    digest.update(chunk)
            if digest.hexdigest() != row.get("sha256"):
                raise _bad(f"{row['file']} does not match its SHA-256 in {MANIFEST}.")
        asset_ids, job_ids = [], []
        for row in manifest["assets"]:
            writer = runtime.blobs.writer(None)
            try:
                with archive.open(members[row["file"]]) as member:
                    while chunk := member.read(1 << 20):
                        writer.write(chunk)
            except BaseException:
                writer.abort()
                raise
            fields = AssetFields.model_validate(
                {k: row.get(k) for k in ("description", "alt_text", "tags", "attributes")}
            )
            intent = Intent(
                owner_id=owner_id,
                filename=row.get("filename"),
                declared_type=row.get("media_type"),
                fields=fields,
                mode="import",
            )
            done = ingest(
                db=runtime.db,
                blobs=runtime.blobs,
                limits=runtime.limits,
                writer=writer,
                intent=intent,
            )
            asset_ids.append(done.asset.id)
            if done.job_id is not None:
                job_ids.append(done.job_id)
    head = manifest.get("space") or {}
    with runtime.db.write_session() as session:
        space = service.create(
            session,
            owner_id=owner_id,
            name=name or str(head.get("name") or path.stem),
            description=head.get("description"),
            visibility="private",
            password=None,
            # What visitors get once it is shared again (the defaults when unsaid).
            strip_metadata=head.get("strip_metadata") is not False,
            allow_download=head.get("allow_download") is not False,
        )
        service.publish(session, owner_id=owner_id, space_id=space.id, asset_ids=asset_ids)
        session.refresh(space)
        session.expunge(space)
    return space, asset_ids, job_ids
