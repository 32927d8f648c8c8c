"""`/webhooks`: endpoints, their delivery log, and manual redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from satchel.api.deps import RuntimeDep, SessionDep, WriteSessionDep, caller
from satchel.api.envelope import Envelope, envelope
from satchel.auth.service import Principal
from satchel.webhooks import service
from satchel.webhooks.events import EVENTS
from satchel.webhooks.schemas import (
    DeliveryOut,
    EndpointIn,
    EndpointOut,
    EndpointPatch,
    EventOut,
)

router = APIRouter(tags=["webhooks"])

SeeHooks = Annotated[Principal, caller("read", "webhooks:manage")]
ManageHooks = Annotated[Principal, caller("write", "webhooks:manage")]


@router.get("/webhooks/events", summary="The events an endpoint may subscribe to")
def list_events(_: SeeHooks) -> Envelope[list[EventOut]]:
    return envelope([EventOut(name=e) for e in EVENTS])


@router.get("/webhooks", summary="Your webhook endpoints (and the global ones, for admins)")
def list_endpoints(session: SessionDep, principal: SeeHooks) -> Envelope[list[EndpointOut]]:
    return envelope([service.to_out(r) for r in service.listing(session, principal=principal)])


@router.post(
    "/webhooks",
    status_code=201,
    summary="Add an endpoint; the answer shows its signing secret, once",
)
def create_endpoint(
    body: EndpointIn, runtime: RuntimeDep, session: WriteSessionDep, principal: ManageHooks
) -> Envelope[EndpointOut]:
    return envelope(
        service.create(
            session,
            principal=principal,
            box=runtime.blobs.box,
            body=body,
            allow_private=runtime.settings.webhooks_allow_private,
        )
    )


@router.get("/webhooks/{endpoint_id}", summary="One webhook endpoint")
def get_endpoint(
    endpoint_id: str, session: SessionDep, principal: SeeHooks
) -> Envelope[EndpointOut]:
    return envelope(
        service.to_out(service.get(session, principal=principal, endpoint_id=endpoint_id))
    )


@router.patch("/webhooks/{endpoint_id}", summary="Change the URL or events, disable, re-enable")
def patch_endpoint(
    endpoint_id: str,
    body: EndpointPatch,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    principal: ManageHooks,
) -> Envelope[EndpointOut]:
    row = service.patch(
        session,
        principal=principal,
        endpoint_id=endpoint_id,
        body=body,
        allow_private=runtime.settings.webhooks_allow_private,
    )
    return envelope(service.to_out(row))


@router.delete("/webhooks/{endpoint_id}", status_code=204, summary="Remove an endpoint")
def delete_endpoint(endpoint_id: str, session: WriteSessionDep, principal: ManageHooks) -> Response:
    service.delete(session, principal=principal, endpoint_id=endpoint_id)
    return Response(status_code=204)


@router.get("/webhooks/{endpoint_id}/deliveries", summary="The delivery log, newest first")
def list_deliveries(
    endpoint_id: str,
    session: SessionDep,
    principal: SeeHooks,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Envelope[list[DeliveryOut]]:
    rows, next_cursor = service.deliveries(
        session, principal=principal, endpoint_id=endpoint_id, limit=limit, cursor=cursor
    )
    return envelope(
        [service.delivery_out(r) for r in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
    )


@router.post(
    "/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Send a delivery again (same webhook-id, a fresh series of attempts)",
)
def redeliver(
    endpoint_id: str, delivery_id: str, session: WriteSessionDep, principal: ManageHooks
) -> Envelope[DeliveryOut]:
    row = service.redeliver(
        session, principal=principal, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    return envelope(service.delivery_out(row))
