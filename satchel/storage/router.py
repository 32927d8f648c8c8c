"""`/storage-connections`: bring your own S3-compatible bucket; and discovery helpers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from satchel.api.deps import ReadFiles, RuntimeDep, SessionDep, caller, client_ip
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.storage import service
from satchel.storage.schemas import (
    BucketOut,
    BucketTarget,
    ConnectionIn,
    ConnectionOut,
    ConnectionPatch,
    Credentials,
    Deleted,
    PreviewOut,
    ProbeOut,
)

router = APIRouter(tags=["storage"])

WriteStorage = Annotated[Principal, caller("write", "files:own")]
ManageStorage = Annotated[Principal, caller("admin", "files:own")]


@router.get("/storage-connections", summary="The caller's storage connections")
def list_connections(session: SessionDep, principal: ReadFiles) -> Envelope[list[ConnectionOut]]:
    rows = service.listing(session, owner_id=principal.user_id)
    return envelope([service.to_out(session, r) for r in rows])


@router.post(
    "/storage-connections",
    status_code=201,
    summary="Add a bucket (HEAD/LIST/PUT/DELETE probes must pass before it is kept)",
)
def create_connection(
    body: ConnectionIn, request: Request, runtime: RuntimeDep, principal: ManageStorage
) -> Envelope[ConnectionOut]:
    connection_id = service.create(
        db=runtime.db,
        box=runtime.blobs.box,
        egress=runtime.blobs.egress,
        owner_id=principal.user_id,
        body=body,
        ip=client_ip(request),
    )
    with runtime.db.session() as session:
        row = service.get(session, owner_id=principal.user_id, connection_id=connection_id)
        return envelope(service.to_out(session, row))


@router.post(
    "/storage-connections/preview",
    summary="Run the probes against a bucket without keeping anything",
)
def preview(
    body: BucketTarget, runtime: RuntimeDep, principal: ManageStorage
) -> Envelope[PreviewOut]:
    probes = service.preview(body, egress=runtime.blobs.egress)
    return envelope(
        PreviewOut(
            ok=all(p.ok for p in probes),
            probes=[ProbeOut.model_validate(p.to_dict()) for p in probes],
        )
    )


@router.post("/storage-connections/list-buckets", summary="The buckets these credentials can see")
def list_buckets(
    body: Credentials, runtime: RuntimeDep, principal: ManageStorage
) -> Envelope[list[BucketOut]]:
    found = service.list_buckets(body, egress=runtime.blobs.egress)
    return envelope([BucketOut.model_validate(b) for b in found])


@router.post(
    "/storage-connections/create-bucket",
    status_code=201,
    summary="Create a bucket with these credentials (region-aware)",
)
def create_bucket(
    body: BucketTarget, runtime: RuntimeDep, principal: ManageStorage
) -> Envelope[BucketOut]:
    service.create_bucket(body, egress=runtime.blobs.egress)
    return envelope(BucketOut(name=body.bucket))


@router.get("/storage-connections/{connection_id}", summary="One storage connection")
def get_connection(
    connection_id: str, session: SessionDep, principal: ReadFiles
) -> Envelope[ConnectionOut]:
    row = service.get(session, owner_id=principal.user_id, connection_id=connection_id)
    return envelope(service.to_out(session, row))


@router.patch(
    "/storage-connections/{connection_id}",
    summary="Rename, or replace the keys (probed first)",
)
def patch_connection(
    connection_id: str,
    body: ConnectionPatch,
    request: Request,
    runtime: RuntimeDep,
    principal: ManageStorage,
) -> Envelope[ConnectionOut]:
    service.patch(
        db=runtime.db,
        stores=runtime.blobs,
        owner_id=principal.user_id,
        connection_id=connection_id,
        body=body,
        ip=client_ip(request),
    )
    with runtime.db.session() as session:
        row = service.get(session, owner_id=principal.user_id, connection_id=connection_id)
        return envelope(service.to_out(session, row))


@router.delete(
    "/storage-connections/{connection_id}",
    summary="Forget a connection (409 storage_connection_in_use while assets live there)",
    response_model=Envelope[Deleted],
)
def delete_connection(
    connection_id: str, request: Request, runtime: RuntimeDep, principal: ManageStorage
) -> Response:
    service.delete(
        db=runtime.db,
        stores=runtime.blobs,
        owner_id=principal.user_id,
        connection_id=connection_id,
        ip=client_ip(request),
    )
    body = envelope(Deleted(id=connection_id, deleted=True))
    return Response(body.model_dump_json(), media_type="application/json")
