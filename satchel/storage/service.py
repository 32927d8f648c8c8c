"""Storage connections: probe, save (credentials sealed), list, change, remove; discovery."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset
from satchel.audit.service import record
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Conflict, Invalid, SatchelError
from satchel.ids import looks_like, new_id
from satchel.storage.crypto import CredentialBox, mask_access_key
from satchel.storage.egress import Egress, guarded_client
from satchel.storage.models import StorageConnection
from satchel.storage.schemas import (
    BucketTarget,
    ConnectionIn,
    ConnectionOut,
    ConnectionPatch,
    Credentials,
)
from satchel.storage.stores import Stores, connection_location, connection_not_found

log = logging.getLogger("satchel.storage")


class StorageRefused(SatchelError):
    """The storage answered, and said no (bad keys, no bucket, no permission)."""

    status = 422
    code = Code.STORAGE_REQUEST_FAILED


if TYPE_CHECKING:  # boto3 loads when a bucket is first used, not in every process
    from satchel.blobs.s3 import S3Location
    from satchel.storage.probes import Probe


def location_of(body: Credentials, *, bucket: str = "", prefix: str = "") -> S3Location:
    from satchel.blobs.s3 import S3Location

    return S3Location(
        bucket=bucket,
        prefix=prefix.strip("/"),
        endpoint_url=body.endpoint_url,
        region=body.region,
        access_key_id=body.access_key_id,
        secret_access_key=body.secret_access_key.get_secret_value(),
    )


def preview(body: BucketTarget, *, egress: Egress) -> list[Probe]:
    from satchel.storage.probes import run_probes

    return run_probes(location_of(body, bucket=body.bucket, prefix=body.prefix), egress)


def _probe_failure(probes: list[Probe]) -> Invalid:
    failed = [p for p in probes if not p.ok]
    return Invalid(
        "The bucket did not pass every probe: "
        + "; ".join(f"{p.name.upper()}: {p.reason}" for p in failed),
        code=Code.STORAGE_CONNECTION_PROBE_FAILED,
        fields=[
            {"field": f"probes.{p.name}", "message": p.reason or "", "code": p.code} for p in failed
        ],
    )


def _count(session: Session, connection_id: str) -> int:
    return int(session.scalar(select(func.count()).where(Asset.store == connection_id)) or 0)


def to_out(session: Session, row: StorageConnection) -> ConnectionOut:
    return ConnectionOut(
        id=row.id,
        name=row.name,
        provider=row.provider,
        endpoint_url=row.endpoint_url,
        region=row.region,
        bucket=row.bucket,
        prefix=row.prefix,
        access_key_id=row.access_key_hint,
        asset_count=_count(session, row.id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def create(
    *,
    db: Database,
    box: CredentialBox,
    egress: Egress,
    owner_id: str,
    body: ConnectionIn,
    ip: str | None = None,
) -> str:
    """Probe the bucket, then keep the connection (audited); returns its id."""
    probes = preview(body, egress=egress)
    if not all(p.ok for p in probes):
        raise _probe_failure(probes)
    connection_id = new_id("stc")
    secrets = {
        "access_key_id": body.access_key_id,
        "secret_access_key": body.secret_access_key.get_secret_value(),
    }
    with db.write_session() as session:
        now = utcnow()
        session.add(
            StorageConnection(
                id=connection_id,
                owner_id=owner_id,
                name=body.name,
                provider=body.provider,
                endpoint_url=body.endpoint_url,
                region=body.region,
                bucket=body.bucket,
                prefix=body.prefix.strip("/"),
                access_key_hint=mask_access_key(body.access_key_id),
                credentials=box.seal(secrets, bound_to=connection_id),
                created_at=now,
                updated_at=now,
            )
        )
        record(
            session,
            action="STORAGE_CONNECTION_CREATED",
            actor_id=owner_id,
            ip=ip,
            target_type="storage_connection",
            target_id=connection_id,
            name=body.name,
            endpoint_url=body.endpoint_url,
            bucket=body.bucket,
            access_key=mask_access_key(body.access_key_id),
        )
        session.commit()
    log.info("storage connection %s added (bucket %s)", connection_id, body.bucket)
    return connection_id


def get(session: Session, *, owner_id: str, connection_id: str) -> StorageConnection:
    if not looks_like("stc", connection_id):
        raise connection_not_found(connection_id)
    row = session.get(StorageConnection, connection_id)
    if row is None or row.owner_id != owner_id:
        raise connection_not_found(connection_id)
    return row


def listing(session: Session, *, owner_id: str) -> list[StorageConnection]:
    return list(
        session.scalars(
            select(StorageConnection)
            .where(StorageConnection.owner_id == owner_id)
            .order_by(StorageConnection.created_at, StorageConnection.id)
        )
    )


def patch(
    *,
    db: Database,
    stores: Stores,
    owner_id: str,
    connection_id: str,
    body: ConnectionPatch,
    ip: str | None = None,
) -> None:
    """Rename, or replace the keys after probing them (audited)."""
    with db.session() as session:
        row = get(session, owner_id=owner_id, connection_id=connection_id)
        current = connection_location(row, stores.box)
    sealed = hint = None
    if body.access_key_id is not None or body.secret_access_key is not None:
        if body.access_key_id is None or body.secret_access_key is None:
            raise Invalid(
                "Replace both keys together.",
                fields=[{"field": "secret_access_key", "message": "send both keys"}],
            )
        from satchel.blobs.s3 import S3Location
        from satchel.storage.probes import run_probes

        where = S3Location(
            bucket=current.bucket,
            prefix=current.prefix,
            endpoint_url=current.endpoint_url,
            region=current.region,
            access_key_id=body.access_key_id,
            secret_access_key=body.secret_access_key.get_secret_value(),
        )
        probes = run_probes(where, stores.egress)
        if not all(p.ok for p in probes):
            raise _probe_failure(probes)
        secrets = {
            "access_key_id": body.access_key_id,
            "secret_access_key": body.secret_access_key.get_secret_value(),
        }
        sealed = stores.box.seal(secrets, bound_to=connection_id)
        hint = mask_access_key(body.access_key_id)
    with db.write_session() as session:
        row = get(session, owner_id=owner_id, connection_id=connection_id)
        if body.name is not None:
            row.name = body.name
        if sealed is not None and hint is not None:
            row.credentials, row.access_key_hint = sealed, hint
        row.updated_at = utcnow()
        record(
            session,
            action="STORAGE_CONNECTION_UPDATED",
            actor_id=owner_id,
            ip=ip,
            target_type="storage_connection",
            target_id=connection_id,
            changes=[k for k, v in (("name", body.name), ("keys", sealed)) if v is not None],
            access_key=row.access_key_hint,
        )
        session.commit()
    stores.forget(connection_id)


def delete(
    *, db: Database, stores: Stores, owner_id: str, connection_id: str, ip: str | None = None
) -> None:
    """Forget the connection (audited); refused while assets still live in its bucket."""
    with db.write_session() as session:
        row = get(session, owner_id=owner_id, connection_id=connection_id)
        count = _count(session, connection_id)
        if count:
            raise Conflict(
                f"{count} asset(s) still keep their bytes in this bucket; delete them first.",
                code=Code.STORAGE_CONNECTION_IN_USE,
            )
        record(
            session,
            action="STORAGE_CONNECTION_DELETED",
            actor_id=owner_id,
            ip=ip,
            target_type="storage_connection",
            target_id=connection_id,
            name=row.name,
            bucket=row.bucket,
        )
        session.delete(row)
        session.commit()
    stores.forget(connection_id)


def _refused(exc: Exception, action: str) -> StorageRefused:
    from satchel.storage.probes import explain

    code, reason = explain(exc, action)
    return StorageRefused(
        reason, fields=[{"field": "credentials", "message": reason, "code": code}]
    )


def list_buckets(body: Credentials, *, egress: Egress) -> list[dict[str, Any]]:
    client = guarded_client(location_of(body), egress, timeout=10.0, retries=1)
    try:
        answer = client.list_buckets()
    except (ClientError, BotoCoreError) as exc:
        raise _refused(exc, "list buckets") from exc
    return [
        {"name": b["Name"], "created_at": b.get("CreationDate")} for b in answer.get("Buckets", [])
    ]


def create_bucket(body: BucketTarget, *, egress: Egress) -> None:
    client = guarded_client(location_of(body), egress, timeout=10.0, retries=1)
    args: dict[str, Any] = {"Bucket": body.bucket}
    if body.region and body.region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": body.region}
    try:
        client.create_bucket(**args)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in (
            "BucketAlreadyOwnedByYou",
            "BucketAlreadyExists",
        ):
            raise Conflict(
                f"A bucket named {body.bucket!r} exists already.", code=Code.BUCKET_EXISTS
            ) from exc
        raise _refused(exc, "create buckets") from exc
    except BotoCoreError as exc:
        raise _refused(exc, "create buckets") from exc
