"""Revoking the signed links to an asset: every link signed so far names the asset's link
generation (see `views.link_message`); bumping it makes them all fail at once."""

from __future__ import annotations

from satchel.assets import service
from satchel.audit.service import record
from satchel.db import Database


def revoke(
    *, db: Database, owner_id: str | None, asset_id: str, actor_id: str, ip: str | None = None
) -> int:
    """Bump the asset's link generation (audited); returns the new one."""
    with db.write_session() as session:
        asset = service.get(session=session, owner_id=owner_id, asset_id=asset_id)
        asset.link_generation += 1
        generation = asset.link_generation
        record(
            session,
            action="asset.links_revoked",
            actor_id=actor_id,
            target_type="asset",
            target_id=asset.id,
            ip=ip,
            link_generation=generation,
        )
        session.commit()
    return generation
