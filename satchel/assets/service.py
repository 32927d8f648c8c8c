"""Asset reads and edits: looking one up for its owner, checking and changing its fields.

Storing new assets is `satchel.uploads` (every upload mode ingests through it); who holds
which bytes is `blobrefs`, deleting is `deletion`, and counting is `usage`.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from satchel.assets.filenames import clean_filename
from satchel.assets.models import Asset, AssetTag
from satchel.assets.models import is_shown_to_visitors as is_shown_to_visitors
from satchel.assets.models import live as live  # re-exported: readers import it from here
from satchel.assets.models import shown_to_visitors as shown_to_visitors
from satchel.assets.names import refuse_taken
from satchel.assets.schemas import MAX_TAG_CHARS, AssetFields
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Invalid, NotFound
from satchel.ids import looks_like

MAX_ATTRIBUTES_BYTES = 64 * 1024

S = TypeVar("S", bound=Select[Any])
_FLAGS = (
    "is_public",
    "is_favorite",
    "is_archived",
    "folder",
    "public_strip_metadata",
    "public_allow_download",
)
_SETTABLE = ("description", "alt_text", "attributes", "public_expires_at", *_FLAGS)


def not_found(asset_id: str) -> NotFound:
    return NotFound(f"No asset {asset_id}.", code=Code.ASSET_NOT_FOUND)


def check_fields(fields: AssetFields, *, max_chars: int) -> None:
    """Refuse metadata a client may not set, with the seeds' codes."""
    if fields.description is not None and len(fields.description) > max_chars:
        raise Invalid(
            f"The description is longer than {max_chars} characters.",
            code=Code.ASSET_DESCRIPTION_TOO_LONG,
            fields=[{"field": "description", "message": f"at most {max_chars} characters"}],
        )
    if fields.alt_text is not None and len(fields.alt_text) > max_chars:
        raise Invalid(
            f"The alt text is longer than {max_chars} characters.",
            code=Code.ASSET_ALT_TEXT_TOO_LONG,
            fields=[{"field": "alt_text", "message": f"at most {max_chars} characters"}],
        )
    for tag in fields.tags or []:
        if not tag.strip() or len(tag) > MAX_TAG_CHARS:
            raise Invalid(
                f"Tags must have 1 to {MAX_TAG_CHARS} characters.",
                fields=[{"field": "tags", "message": f"bad tag {tag[:40]!r}"}],
            )
    if fields.attributes is not None and len(json.dumps(fields.attributes)) > MAX_ATTRIBUTES_BYTES:
        raise Invalid(
            "The attributes are larger than 64 KiB.",
            fields=[{"field": "attributes", "message": "at most 64 KiB of JSON"}],
        )


def normalized_tags(tags: list[str] | None) -> list[str]:
    """Tags stripped, empty ones dropped, each once, in the order given."""
    return list(dict.fromkeys(t.strip() for t in tags or [] if t.strip()))


def set_tags(session: Session, asset: Asset, tags: list[str]) -> None:
    """The asset's tags, and the rows `tag=` filters use (the asset must be flushed)."""
    asset.tags = tags
    session.execute(delete(AssetTag).where(AssetTag.asset_seq == asset.seq))
    session.add_all(AssetTag(asset_seq=asset.seq, tag=t) for t in tags)


def owned_by(stmt: S, owner_id: str | None) -> S:
    """Restrict to one owner; None means the caller may see everyone's (files:all)."""
    return stmt if owner_id is None else stmt.where(Asset.owner_id == owner_id)


def find(session: Session, *, owner_id: str | None, asset_id: str) -> Asset | None:
    """The caller's asset, or None (another owner's, or a trashed one, is as missing as
    one never made)."""
    if not looks_like("ast", asset_id):
        return None
    found: Asset | None = session.scalars(
        owned_by(select(Asset).where(Asset.id == asset_id, live()), owner_id)
    ).first()
    return found


def get(*, session: Session, owner_id: str | None, asset_id: str) -> Asset:
    """The caller's asset; another owner's is as missing as one that never existed."""
    asset = find(session, owner_id=owner_id, asset_id=asset_id)
    if asset is None:
        raise not_found(asset_id)
    return asset


def patch(*, db: Database, owner_id: str | None, asset_id: str, changes: dict[str, Any]) -> Asset:
    with db.write_session() as session:
        asset = get(session=session, owner_id=owner_id, asset_id=asset_id)
        place = (asset.folder, asset.filename)
        for name in _SETTABLE:
            if name in changes:
                value = changes[name]
                if name == "attributes" and value is None:
                    value = {}
                if name in _FLAGS and value is None:
                    continue
                setattr(asset, name, value)
        if changes.get("filename") is not None:
            asset.filename = clean_filename(changes["filename"])
        if (asset.folder, asset.filename) != place and not changes.get("allow_duplicates"):
            refuse_taken(session, asset=asset)
        if "tags" in changes:
            set_tags(session, asset, normalized_tags(changes["tags"]))
        asset.updated_at = utcnow()
        session.commit()
        return asset
