"""The events endpoints subscribe to, and `emit`: deliveries added to the caller's
transaction (an outbox), so an event exists exactly when the change that caused it does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from satchel.db import utcnow
from satchel.ids import new_id
from satchel.logs.context import current_request_id
from satchel.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

ASSET_CREATED = "asset.created"
ASSET_READY = "asset.ready"
ASSET_FAILED = "asset.failed"
ASSET_DELETED = "asset.deleted"
ASSET_RESTORED = "asset.restored"
SPACE_PUBLISHED = "space.published"
JOB_COMPLETED = "job.completed"
JOB_FAILED = "job.failed"

EVENTS = (
    ASSET_CREATED,
    ASSET_READY,
    ASSET_FAILED,
    ASSET_DELETED,
    ASSET_RESTORED,
    SPACE_PUBLISHED,
    JOB_COMPLETED,
    JOB_FAILED,
)


def payload(event: str, data: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
    """The Standard Webhooks envelope: `type`, `timestamp`, `data`."""
    stamp = (at or utcnow()).isoformat().replace("+00:00", "Z")
    return {"type": event, "timestamp": stamp, "data": data}


def asset_data(asset: Any) -> dict[str, Any]:
    """What an asset event carries: the asset's identity and state, not its metadata."""
    return {
        "id": asset.id,
        "filename": asset.filename,
        "media_type": asset.media_type,
        "kind": asset.kind,
        "size": asset.size,
        "sha256": asset.sha256,
        "status": asset.status,
        "failure_code": getattr(asset, "failure_code", None),
    }


def emit(session: Session, event: str, *, owner_id: str | None, data: dict[str, Any]) -> int:
    """Queue one delivery per enabled endpoint of this owner (and each global one) that
    subscribes to `event`; the caller commits. Returns how many were queued."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    owners: ColumnElement[bool] = WebhookEndpoint.owner_id.is_(None)
    if owner_id is not None:
        owners = or_(owners, WebhookEndpoint.owner_id == owner_id)
    endpoints = session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True), owners)
    ).all()
    now = utcnow()
    body = payload(event, data, at=now)
    count = 0
    for endpoint in endpoints:
        if event not in endpoint.events:
            continue
        session.add(
            WebhookDelivery(
                id=new_id("msg"),
                endpoint_id=endpoint.id,
                event=event,
                payload=body,
                status=DeliveryState.PENDING,
                next_attempt_at=now,
                created_at=now,
                request_id=current_request_id(),
            )
        )
        count += 1
    return count
