"""Adding, removing and reading references to assets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from satchel.lifecycle.models import AssetReference


def add(
    session: Session,
    *,
    asset_id: str,
    domain: str,
    owner_id: str,
    role: str,
    hard: bool,
    parent_id: str | None = None,
    detail_id: str | None = None,
) -> AssetReference:
    """Record a reference in the caller's transaction (with the change that makes it)."""
    ref = AssetReference(
        asset_id=asset_id,
        domain=domain,
        owner_id=owner_id,
        role=role,
        hard=hard,
        parent_id=parent_id,
        detail_id=detail_id,
    )
    session.add(ref)
    return ref


def remove(session: Session, *, domain: str, owner_id: str, asset_id: str | None = None) -> None:
    stmt = delete(AssetReference).where(
        AssetReference.domain == domain, AssetReference.owner_id == owner_id
    )
    if asset_id is not None:
        stmt = stmt.where(AssetReference.asset_id == asset_id)
    session.execute(stmt)


def remove_all(session: Session, *, asset_id: str, domain: str) -> None:
    session.execute(
        delete(AssetReference).where(
            AssetReference.asset_id == asset_id, AssetReference.domain == domain
        )
    )


def of(session: Session, asset_id: str) -> list[AssetReference]:
    return list(
        session.scalars(
            select(AssetReference)
            .where(AssetReference.asset_id == asset_id)
            .order_by(AssetReference.id)
        )
    )


def view(refs: list[AssetReference]) -> dict[str, Any]:
    """The daemon's shape: counts and the list."""
    return {
        "hard_reference_count": sum(r.hard for r in refs),
        "soft_reference_count": sum(not r.hard for r in refs),
        "references": [
            {
                k: v
                for k, v in {
                    "domain": r.domain,
                    "owner_id": r.owner_id,
                    "role": r.role,
                    "hard": r.hard,
                    "parent_id": r.parent_id,
                    "detail_id": r.detail_id,
                }.items()
                if v is not None
            }
            for r in refs
        ],
    }
