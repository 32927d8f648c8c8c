"""A space as a ZIP and back (see `satchel.assets.zips`): the manifest also holds the
space's name, description and delivery options."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from satchel.assets import zips
from satchel.runtime import Runtime
from satchel.spaces import service

FORMAT = "satchel-space"


def export(*, runtime: Runtime, owner_id: str | None, space_id: str) -> tuple[IO[bytes], str]:
    """The space as a ZIP in a temporary file (rewound), and a download name."""
    with runtime.db.session() as session:
        space = service.get(session, owner_id=owner_id, space_id=space_id)
        assets = list(reversed(service.published_assets(session, space.id)))  # oldest first
        head: dict[str, Any] = {"name": space.name, "description": space.description}
        head["visibility"] = space.visibility
        head["strip_metadata"] = space.strip_metadata
        head["allow_download"] = space.allow_download
        manifest = {"format": FORMAT, "version": 1, "space": head, "assets": zips.rows(assets)}
        for asset in assets:
            session.expunge(asset)
    out = zips.write(runtime, manifest, assets)
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in head["name"] or "space")
    return out, f"{name}.zip"


def import_zip(
    *, runtime: Runtime, owner_id: str, path: Path, name: str | None
) -> tuple[Any, list[str], list[str]]:
    """A new space holding the ZIP's files (each checked against its SHA-256); returns the
    space, its asset ids, and the processing jobs to enqueue."""
    archive, manifest = zips.open_checked(runtime, path, formats=[FORMAT])
    with archive:
        asset_ids, job_ids = zips.store_all(runtime, archive, manifest, owner_id=owner_id)
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
