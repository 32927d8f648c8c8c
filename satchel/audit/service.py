"""Recording and reading audit entries; secrets are never part of `details`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from satchel.audit.models import AuditEntry


def record(
    session: Session,
    *,
    action: str,
    actor_id: str | None,
    target_type: str | None = None,
    target_id: str | None = None,
    ip: str | None = None,
    **details: Any,
) -> None:
    """Add an entry to the caller's transaction, so it commits (or not) with the change."""
    session.add(
        AuditEntry(
            action=action,
            actor_id=actor_id,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            details=details,
        )
    )


def page(
    session: Session,
    *,
    page: int,
    limit: int,
    action: str | None,
    start: datetime | None,
    end: datetime | None,
) -> tuple[list[AuditEntry], int]:
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if start:
        stmt = stmt.where(AuditEntry.at >= start)
    if end:
        stmt = stmt.where(AuditEntry.at <= end)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditEntry.id.desc()).offset((page - 1) * limit).limit(limit)
    )
    return list(rows), total
