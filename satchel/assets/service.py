"""Asset operations: ingest, two-step uploads, reads, edits and deletes.

Ordering rules (DESIGN.md, "Where bytes live"): bytes are placed under their address
before a row points at them, and rows are removed before bytes. Placing and removing one
address happen under `blobs.lock(sha)`, so a delete can never remove bytes that a
concurrent upload of the same content has just been promised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from satchel.assets.filenames import clean_filename
from satchel.assets.models import Asset, AssetTag, Blob, Derivative, Tombstone, Upload
from satchel.assets.schemas import MAX_TAG_CHARS, AssetFields
from satchel.audit.service import record
from satchel.auth.models import User
from satchel.blobs import BlobInfo, BlobStore, BlobWriter
from satchel.db import Database, utcnow
from satchel.errors import Conflict, InsufficientStorage, Invalid, NotFound, TooLarge
from satchel.ids import looks_like, new_id
from satchel.jobs import service as jobs
from satchel.jobs.models import Job
from satchel.lifecycle import plans, references
from satchel.media import MediaInfo, MediaLimits, normalize_media_type, sniff_file

MAX_ATTRIBUTES_BYTES = 64 * 1024


# The job kind that processes a newly stored asset (its handler lives in `processing`).
PROCESS_ASSET = "assets.process"


def queue_processing(session: Session, *, asset: Asset, actor_id: str | None) -> Job:
    """A processing job for the asset, with its soft reference, in the caller's transaction
    (enqueue the job id after the commit)."""
    asset.status = "pending"
    job = jobs.create(session, kind=PROCESS_ASSET, owner_id=actor_id, subject_id=asset.id)
    references.add(
        session, asset_id=asset.id, domain="jobs", owner_id=job.id, role="input", hard=False
    )
    return job


@dataclass(frozen=True)
class Ingested:
    asset: Asset
    deduplicated: bool
    job_id: str | None = None  # enqueue it once the caller is done (after the commit)


def not_found(asset_id: str) -> NotFound:
    return NotFound(f"No asset {asset_id}.", code="asset_not_found")


def check_fields(fields: AssetFields, *, max_chars: int) -> None:
    """Refuse metadata a client may not set, with the seeds' codes."""
    if fields.description is not None and len(fields.description) > max_chars:
        raise Invalid(
            f"The description is longer than {max_chars} characters.",
            code="asset_description_too_long",
            fields=[{"field": "description", "message": f"at most {max_chars} characters"}],
        )
    if fields.alt_text is not None and len(fields.alt_text) > max_chars:
        raise Invalid(
            f"The alt text is longer than {max_chars} characters.",
            code="asset_alt_text_too_long",
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


def _normalized_tags(tags: list[str] | None) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in tags or [] if t.strip()))


def _set_tags(session: Session, asset: Asset, tags: list[str]) -> None:
    asset.tags = tags
    session.execute(delete(AssetTag).where(AssetTag.asset_seq == asset.seq))
    session.add_all(AssetTag(asset_seq=asset.seq, tag=t) for t in tags)


def _apply_media(asset: Asset, media: MediaInfo) -> None:
    asset.media_type = media.media_type
    asset.kind = media.kind
    asset.width, asset.height = media.width, media.height
    asset.duration, asset.pages = media.duration, media.pages


def _find_duplicate(
    session: Session, *, owner_id: str, sha256: str, media_type: str
) -> Asset | None:
    return session.scalars(
        select(Asset)
        .where(
            Asset.owner_id == owner_id,
            Asset.sha256 == sha256,
            Asset.media_type == media_type,
            Asset.status != "uploading",
        )
        .limit(1)
    ).first()


def ensure_blob_row(session: Session, info: BlobInfo) -> None:
    if session.get(Blob, info.sha256) is None:
        session.add(Blob(sha256=info.sha256, size=info.size, chunk_sums=info.chunk_sums))


def ingest(
    *,
    db: Database,
    blobs: BlobStore,
    limits: MediaLimits,
    owner_id: str,
    writer: BlobWriter,
    filename: str | None,
    declared_type: str | None,
    fields: AssetFields,
    dedupe: bool,
    location: str | None = None,
) -> Ingested:
    """Turn bytes received into `writer` into an asset, or refuse them leaving nothing.

    `location` is the storage connection `writer` writes to (None: managed storage)."""
    try:
        info = writer.finish()
        if info.size == 0:
            raise Invalid("The uploaded file is empty.", code="asset_file_empty")
        media = sniff_file(
            writer.temp_path, declared_type=declared_type, filename=filename, limits=limits
        )
    except BaseException:
        writer.abort()
        raise
    # Under the address's lock (which also serializes this owner's identical uploads), the
    # duplicate check and the placing of the bytes need no database write lock; the write
    # transaction afterwards is short. A crash between the two leaves an orphan file for GC.
    with blobs.lock(info.sha256):
        if dedupe:
            with db.session() as session:
                existing = _find_duplicate(
                    session, owner_id=owner_id, sha256=info.sha256, media_type=media.media_type
                )
            if existing is not None:
                writer.abort()
                return Ingested(existing, True)
        writer.commit()
        try:
            with db.write_session() as session:
                return _insert(session, owner_id, info, media, filename, fields, location)
        except OperationalError as exc:
            # The row could not be written (a full disk, say): take back the bytes just
            # placed unless something else uses them, so nothing is left half-stored.
            with db.session() as session:
                if location is not None:
                    blobs.delete(info.sha256, location)
                elif not blob_in_use(session, info.sha256):
                    blobs.delete(info.sha256)
            if "full" in str(exc.orig).lower():
                raise InsufficientStorage("The storage is full; nothing was stored.") from exc
            raise


def _insert(
    session: Session,
    owner_id: str,
    info: BlobInfo,
    media: MediaInfo,
    filename: str | None,
    fields: AssetFields,
    location: str | None = None,
) -> Ingested:
    """The new asset row, its tags and its processing job, in the caller's transaction."""
    ensure_blob_row(session, info)
    now = utcnow()
    asset = Asset(
        id=new_id("ast"),
        owner_id=owner_id,
        sha256=info.sha256,
        size=info.size,
        filename=clean_filename(filename),
        status="pending",
        description=fields.description,
        alt_text=fields.alt_text,
        attributes=fields.attributes or {},
        is_public=bool(fields.is_public),
        store=location,
        created_at=now,
        updated_at=now,
    )
    _apply_media(asset, media)
    session.add(asset)
    session.flush()
    _set_tags(session, asset, _normalized_tags(fields.tags))
    job = queue_processing(session, asset=asset, actor_id=owner_id)
    session.commit()
    return Ingested(asset, False, job.id)


def create_pending(
    *,
    db: Database,
    owner_id: str,
    filename: str,
    declared_type: str | None,
    size: int,
    fields: AssetFields,
    dedupe: bool,
    max_bytes: int,
    ttl_seconds: int,
    location: str | None = None,
) -> tuple[Asset, Upload]:
    """Reserve an asset whose bytes will arrive by signed PUT."""
    if size > max_bytes:
        raise TooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
    if size == 0:
        raise Invalid("The announced file is empty.", code="asset_file_empty")
    declared = normalize_media_type(declared_type) if declared_type else None
    with db.write_session() as session:
        now = utcnow()
        asset = Asset(
            id=new_id("ast"),
            owner_id=owner_id,
            sha256=None,
            size=size,
            filename=clean_filename(filename),
            media_type=declared or "application/octet-stream",
            kind="other",
            status="uploading",
            description=fields.description,
            alt_text=fields.alt_text,
            attributes=fields.attributes or {},
            is_public=bool(fields.is_public),
            store=location,
            created_at=now,
            updated_at=now,
        )
        session.add(asset)
        session.flush()
        _set_tags(session, asset, _normalized_tags(fields.tags))
        upload = Upload(
            id=new_id("upl"),
            asset_id=asset.id,
            expected_size=size,
            declared_type=declared,
            dedupe=dedupe,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
        session.add(upload)
        session.commit()
        return asset, upload


def get_upload(*, session: Session, upload_id: str) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None or upload.expires_at <= utcnow():
        raise NotFound("No such upload, or it has expired.", code="upload_not_found")
    return upload


def upload_location(*, db: Database, upload_id: str) -> str | None:
    """Where a two-step upload's bytes go (its asset's storage connection, or managed)."""
    with db.session() as session:
        upload = get_upload(session=session, upload_id=upload_id)
        return session.scalar(select(Asset.store).where(Asset.id == upload.asset_id))


def receive_put(*, db: Database, blobs: BlobStore, upload_id: str, writer: BlobWriter) -> None:
    """Place the bytes of a signed PUT and point the pending asset at them."""
    with db.session() as session:
        upload = get_upload(session=session, upload_id=upload_id)
    try:
        info = writer.finish()
        if info.size != upload.expected_size:
            raise Invalid(
                f"Received {info.size} bytes; the upload announced {upload.expected_size}.",
                code="asset_size_mismatch",
            )
    except BaseException:
        writer.abort()
        raise
    with blobs.lock(info.sha256), db.write_session() as session:
        upload = get_upload(session=session, upload_id=upload_id)
        asset = session.scalars(select(Asset).where(Asset.id == upload.asset_id)).one()
        writer.commit()
        ensure_blob_row(session, info)
        previous = asset.sha256
        asset.sha256 = upload.sha256 = info.sha256
        session.commit()
    if previous and previous != info.sha256:
        drop_blob_if_unused(db=db, blobs=blobs, sha256=previous)


def complete(
    *, db: Database, blobs: BlobStore, limits: MediaLimits, owner_id: str, asset_id: str
) -> Ingested:
    """Check the bytes a PUT delivered and make the asset ready (or refuse and remove it)."""
    with db.session() as session:
        asset = _owned(session, owner_id=owner_id, asset_id=asset_id)
        if asset.status != "uploading":
            return Ingested(asset, False)  # completing twice is harmless
        upload = session.scalars(select(Upload).where(Upload.asset_id == asset_id)).first()
        if upload is None or upload.sha256 is None or asset.sha256 is None:
            raise Conflict("The bytes have not been uploaded yet.", code="asset_not_uploaded")
        sha256 = asset.sha256
    try:
        with blobs.local_copy(sha256) as path:
            media = sniff_file(
                path, declared_type=upload.declared_type, filename=asset.filename, limits=limits
            )
    except BaseException:
        _remove(db=db, blobs=blobs, owner_id=owner_id, asset_id=asset_id, actor_id=None)
        raise
    with blobs.lock(sha256), db.write_session() as session:
        asset = _owned(session, owner_id=owner_id, asset_id=asset_id)
        if asset.status != "uploading":
            return Ingested(asset, False)
        if upload.dedupe:
            existing = _find_duplicate(
                session, owner_id=owner_id, sha256=sha256, media_type=media.media_type
            )
            if existing is not None:
                session.delete(asset)
                session.commit()
                return Ingested(existing, True)
        _apply_media(asset, media)
        asset.status = "pending"
        asset.updated_at = utcnow()
        session.execute(delete(Upload).where(Upload.asset_id == asset_id))
        job = queue_processing(session, asset=asset, actor_id=owner_id)
        session.commit()
        return Ingested(asset, False, job.id)


def _mine(stmt: Any, owner_id: str | None) -> Any:
    """Restrict to one owner; None means the caller may see everyone's (files:all)."""
    return stmt if owner_id is None else stmt.where(Asset.owner_id == owner_id)


def _owned(session: Session, *, owner_id: str | None, asset_id: str) -> Asset:
    if not looks_like("ast", asset_id):
        raise not_found(asset_id)
    asset: Asset | None = session.scalars(
        _mine(select(Asset).where(Asset.id == asset_id), owner_id)
    ).first()
    if asset is None:
        raise not_found(asset_id)
    return asset


def get(*, session: Session, owner_id: str | None, asset_id: str) -> Asset:
    """The caller's asset; another owner's is as missing as one that never existed."""
    return _owned(session, owner_id=owner_id, asset_id=asset_id)


def patch(*, db: Database, owner_id: str | None, asset_id: str, changes: dict[str, Any]) -> Asset:
    with db.write_session() as session:
        asset = _owned(session, owner_id=owner_id, asset_id=asset_id)
        for name in ("description", "alt_text", "attributes", "is_public"):
            if name in changes:
                value = changes[name]
                if name == "attributes" and value is None:
                    value = {}
                if name == "is_public" and value is None:
                    continue
                setattr(asset, name, value)
        if changes.get("filename") is not None:
            asset.filename = clean_filename(changes["filename"])
        if "tags" in changes:
            _set_tags(session, asset, _normalized_tags(changes["tags"]))
        asset.updated_at = utcnow()
        session.commit()
        return asset


def blob_in_use(session: Session, sha256: str) -> bool:
    """Whether any asset, derivative or avatar still points at these bytes."""
    return bool(
        session.scalar(select(exists().where(Asset.sha256 == sha256)))
        or session.scalar(select(exists().where(Derivative.sha256 == sha256)))
        or session.scalar(select(exists().where(User.avatar_sha256 == sha256)))
    )


@contextmanager
def locked(blobs: BlobStore, shas: set[str]) -> Iterator[None]:
    """Hold several addresses' locks, always taken in the same order (no deadlock)."""
    with ExitStack() as stack:
        for sha in sorted(shas):
            stack.enter_context(blobs.lock(sha))
        yield


def drop_blob_if_unused(*, db: Database, blobs: BlobStore, sha256: str) -> None:
    with blobs.lock(sha256), db.write_session() as session:
        if blob_in_use(session, sha256):
            return
        session.execute(delete(Blob).where(Blob.sha256 == sha256))
        session.commit()
        blobs.delete(sha256)


def _addresses(asset: Asset) -> set[str]:
    return {d.sha256 for d in asset.derivatives} | ({asset.sha256} if asset.sha256 else set())


def _remove(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    asset_id: str,
    actor_id: str | None,
    ip: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any] | None:
    """Delete the row and its derivatives, and the bytes nothing else points at.

    Returns the plan that was (or, with `dry_run`, would be) carried out, or None when
    there is no such asset. Hard references block it: `409 asset_delete_blocked`.
    """
    for _ in range(3):
        with db.session() as session:
            found = session.scalars(_mine(select(Asset).where(Asset.id == asset_id), owner_id))
            first = found.first()
            if first is None:
                return None
            if dry_run:
                return plans.plan(session, first)
            shas, location = _addresses(first), first.store
        with locked(blobs, shas), db.write_session() as session:
            asset = session.scalars(
                _mine(select(Asset).where(Asset.id == asset_id), owner_id)
            ).first()
            if asset is None:
                return None
            if _addresses(asset) != shas:
                continue  # bytes landed in between; take the right locks and try again
            plan = plans.plan(session, asset)
            if plan["blocked"]:
                raise Conflict(
                    f"{plan['hard_reference_count']} hard reference(s) still need this asset; "
                    "see GET /assets/{id}/references.",
                    code="asset_delete_blocked",
                )
            session.delete(asset)  # derivatives and references go with it (ON DELETE CASCADE)
            # A refused upload (no actor) leaves no trace; a delete leaves a tombstone and
            # an audit entry, committed with it.
            if actor_id is not None:
                session.add(
                    Tombstone(asset_id=asset_id, owner_id=asset.owner_id, sha256=asset.sha256)
                )
                record(
                    session,
                    action="ASSET_DELETED",
                    actor_id=actor_id,
                    ip=ip,
                    target_type="asset",
                    target_id=asset_id,
                    owner_id=asset.owner_id,
                    filename=asset.filename,
                )
            unused = plans.unshared(plan)
            if unused:
                session.execute(delete(Blob).where(Blob.sha256.in_(unused)))
            session.commit()
            # The rows are gone; removing the bytes now is safe. A crash here leaves
            # orphan files that startup repair or GC reclaims, never a row without bytes.
            for sha in unused:
                blobs.delete(sha)
            if location is not None:  # a connection's copies go unless its other assets use them
                for sha in shas:
                    blobs.delete(sha, location)
            return plan
    raise Conflict("The asset changed while it was being deleted; try again.")


@dataclass(frozen=True)
class Deleted:
    plan: dict[str, Any] | None  # None: it had been deleted before (repeating is harmless)


def delete_asset(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    asset_id: str,
    actor_id: str,
    ip: str | None = None,
    dry_run: bool = False,
) -> Deleted:
    """Delete (or plan to); an id deleted before answers again, an unknown one is 404."""
    plan = None
    if looks_like("ast", asset_id):
        plan = _remove(
            db=db,
            blobs=blobs,
            owner_id=owner_id,
            asset_id=asset_id,
            actor_id=actor_id,
            ip=ip,
            dry_run=dry_run,
        )
    if plan is not None:
        return Deleted(plan)
    with db.session() as session:
        tomb = session.get(Tombstone, asset_id)
    if tomb is not None and owner_id in (None, tomb.owner_id):
        return Deleted(None)
    raise not_found(asset_id)


def batch_delete(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    ids: list[str],
    actor_id: str,
    ip: str | None = None,
) -> tuple[int, list[str], list[str]]:
    """Returns (deleted count, ids not found, ids blocked by hard references)."""
    deleted, missing, blocked = 0, [], []
    for asset_id in dict.fromkeys(ids):
        try:
            done = looks_like("ast", asset_id) and _remove(
                db=db,
                blobs=blobs,
                owner_id=owner_id,
                asset_id=asset_id,
                actor_id=actor_id,
                ip=ip,
            )
        except Conflict as exc:
            if exc.code != "asset_delete_blocked":
                raise
            blocked.append(asset_id)
            continue
        if done:
            deleted += 1
        else:
            missing.append(asset_id)
    return deleted, missing, blocked


def usage(*, session: Session, owner_id: str) -> dict[str, Any]:
    rows = session.execute(
        select(Asset.media_type, func.count(), func.coalesce(func.sum(Asset.size), 0))
        .where(Asset.owner_id == owner_id, Asset.status != "uploading")
        .group_by(Asset.media_type)
        .order_by(func.sum(Asset.size).desc())
    ).all()
    stored = session.scalar(
        select(func.coalesce(func.sum(Blob.size), 0)).where(
            Blob.sha256.in_(select(Asset.sha256).where(Asset.owner_id == owner_id))
        )
    )
    breakdown = [{"content_type": t, "count": c, "total_bytes": b} for t, c, b in rows]
    return {
        "total_assets": sum(r["count"] for r in breakdown),
        "total_bytes": sum(r["total_bytes"] for r in breakdown),
        "stored_bytes": stored or 0,
        "by_content_type": breakdown,
    }


def delete_all_for_owner(*, db: Database, blobs: BlobStore, owner_id: str, actor_id: str) -> int:
    """Delete every asset of one owner (before the owner's account goes); returns the count."""
    with db.session() as session:
        ids = list(session.scalars(select(Asset.id).where(Asset.owner_id == owner_id)))
    deleted, _, blocked = batch_delete(
        db=db, blobs=blobs, owner_id=owner_id, ids=ids, actor_id=actor_id
    )
    if blocked:
        raise Conflict(
            f"{len(blocked)} of the user's assets are still needed elsewhere (hard references).",
            code="asset_delete_blocked",
        )
    return deleted
