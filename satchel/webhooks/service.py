"""Managing webhook endpoints and reading their delivery log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from satchel.auth.service import Principal
from satchel.codes import Code
from satchel.db import utcnow
from satchel.errors import Forbidden, NotFound
from satchel.ids import looks_like, new_id
from satchel.storage.crypto import CredentialBox
from satchel.webhooks import signing, targets
from satchel.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from satchel.webhooks.schemas import DeliveryOut, EndpointIn, EndpointOut, EndpointPatch


def not_found(endpoint_id: str) -> NotFound:
    return NotFound(f"No webhook endpoint {endpoint_id}.", code=Code.WEBHOOK_NOT_FOUND)


def to_out(row: WebhookEndpoint, *, secret: str | None = None) -> EndpointOut:
    return EndpointOut(
        id=row.id,
        url=row.url,
        description=row.description,
        events=list(row.events),
        is_global=row.owner_id is None,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        secret=secret,
    )


def delivery_out(row: WebhookDelivery) -> DeliveryOut:
    return DeliveryOut.model_validate(row, from_attributes=True)


def secret_of(row: WebhookEndpoint, box: CredentialBox) -> str:
    return box.open(row.secret, bound_to=row.id)["secret"]


def create(
    session: Session,
    *,
    principal: Principal,
    box: CredentialBox,
    body: EndpointIn,
    allow_private: bool,
) -> EndpointOut:
    """A new endpoint; the answer carries its secret, which is never shown again."""
    if body.is_global and not principal.has_scope("admin"):
        raise Forbidden(
            "Only an admin key may add a global endpoint.", code=Code.INSUFFICIENT_SCOPE
        )
    targets.check(body.url, allow_private=allow_private)
    endpoint_id, secret = new_id("whk"), signing.new_secret()
    row = WebhookEndpoint(
        id=endpoint_id,
        owner_id=None if body.is_global else principal.user_id,
        created_by=principal.user_id,
        url=body.url.strip(),
        description=body.description,
        events=body.events,
        secret=box.seal({"secret": secret}, bound_to=endpoint_id),
        enabled=True,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(row)
    session.commit()
    return to_out(row, secret=secret)


def _visible(principal: Principal) -> object:
    mine = WebhookEndpoint.owner_id == principal.user_id
    if principal.has_scope("admin"):
        return mine | WebhookEndpoint.owner_id.is_(None)
    return mine


def listing(session: Session, *, principal: Principal) -> list[WebhookEndpoint]:
    """The caller's endpoints, and the global ones for an admin key."""
    stmt = select(WebhookEndpoint).where(_visible(principal))  # type: ignore[arg-type]
    return list(session.scalars(stmt.order_by(WebhookEndpoint.created_at)))


def get(session: Session, *, principal: Principal, endpoint_id: str) -> WebhookEndpoint:
    row = None
    if looks_like("whk", endpoint_id):
        row = session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.id == endpoint_id,
                _visible(principal),  # type: ignore[arg-type]
            )
        ).first()
    if row is None:
        raise not_found(endpoint_id)
    return row


def patch(
    session: Session,
    *,
    principal: Principal,
    endpoint_id: str,
    body: EndpointPatch,
    allow_private: bool,
) -> WebhookEndpoint:
    row = get(session, principal=principal, endpoint_id=endpoint_id)
    if body.url is not None:
        targets.check(body.url, allow_private=allow_private)
        row.url = body.url.strip()
    if body.events is not None:
        row.events = body.events
    if body.description is not None:
        row.description = body.description
    if body.enabled is not None:
        row.enabled = body.enabled
        row.disabled_reason = None if body.enabled else "disabled by its owner"
        if body.enabled:
            row.failure_streak = 0
    row.updated_at = utcnow()
    session.commit()
    return row


def delete(session: Session, *, principal: Principal, endpoint_id: str) -> None:
    session.delete(get(session, principal=principal, endpoint_id=endpoint_id))
    session.commit()


def deliveries(
    session: Session, *, principal: Principal, endpoint_id: str, limit: int, cursor: str | None
) -> tuple[list[WebhookDelivery], str | None]:
    """The endpoint's delivery log, newest first."""
    get(session, principal=principal, endpoint_id=endpoint_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if cursor:
        stmt = stmt.where(WebhookDelivery.id < cursor)
    rows = list(session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    return rows[:limit], rows[limit - 1].id if more else None


def redeliver(
    session: Session, *, principal: Principal, endpoint_id: str, delivery_id: str
) -> WebhookDelivery:
    """Send a delivery again (same `webhook-id`, a fresh series of attempts)."""
    get(session, principal=principal, endpoint_id=endpoint_id)
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.endpoint_id != endpoint_id:
        raise NotFound(f"No delivery {delivery_id}.", code=Code.WEBHOOK_DELIVERY_NOT_FOUND)
    if row.status != DeliveryState.QUEUED:
        row.status, row.next_attempt_at, row.finished_at = DeliveryState.PENDING, utcnow(), None
        row.attempts = 0
    session.commit()
    return row
