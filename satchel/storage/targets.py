"""Uploads aimed at a storage connection: reading the target from a request, checking it."""

from __future__ import annotations

from typing import Any

from satchel.blobs.base import BlobStore, BlobWriter, write_file
from satchel.codes import Code
from satchel.db import Database
from satchel.errors import Invalid
from satchel.ids import looks_like
from satchel.storage.models import StorageConnection
from satchel.storage.stores import connection_not_found

# The field's spellings: ours, its camelCase, and image-assets' storage provider profile.
TARGET_KEYS = (
    "storage_connection_id",
    "storageConnectionId",
    "storage_provider_profile_id",
    "storageProviderProfileId",
)


def pop_target(data: dict[str, Any]) -> str | None:
    """Remove every spelling of the target from a JSON body or form; returns its value."""
    found = [data.pop(key) for key in TARGET_KEYS if key in data]
    values = {v.strip() for v in found if isinstance(v, str) and v.strip()}
    if any(v is not None and not isinstance(v, str) for v in found) or len(values) > 1:
        raise Invalid(
            "storage_connection_id must be one connection id.",
            code=Code.VALIDATION_ERROR,
            fields=[{"field": "storage_connection_id", "message": "one id, a string"}],
        )
    return values.pop() if values else None


def resolve_target(*, db: Database, owner_id: str, connection_id: str | None) -> str | None:
    """The caller's own connection id, or None for managed storage; others' are 404."""
    if connection_id is None or connection_id in ("managed", "default"):
        return None
    if not looks_like("stc", connection_id):
        raise connection_not_found(connection_id)
    with db.session() as session:
        row = session.get(StorageConnection, connection_id)
        if row is None or row.owner_id != owner_id:
            raise connection_not_found(connection_id)
    return connection_id


def retarget(blobs: BlobStore, writer: BlobWriter, location: str | None) -> BlobWriter:
    """A finished writer's bytes moved to a writer for `location` (the form parser has to
    choose a writer before it reads the fields); the first writer is aborted."""
    if location is None:
        return writer
    try:
        writer.finish()
        return write_file(blobs, writer.temp_path, location)
    finally:
        writer.abort()
