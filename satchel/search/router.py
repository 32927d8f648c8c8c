"""`/assets/{id}/similar`: look-alikes by perceptual hash (`/assets/duplicates?near=true`,
in the assets router, groups them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from satchel.api.deps import ReadFiles, RuntimeDep, SessionDep
from satchel.api.envelope import Envelope, envelope
from satchel.assets.models import Asset
from satchel.assets.views import base_url, to_out
from satchel.search import duplicates

router = APIRouter(tags=["search"])
Threshold = Annotated[  # also used by `/assets/duplicates?near=true`
    int, Query(ge=0, le=32, description="Most differing bits of 64 (pHash) to count as alike")
]


@router.get("/assets/{asset_id}/similar", summary="Assets that look like this one")
def similar(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
    threshold: Threshold = duplicates.DEFAULT_THRESHOLD,
) -> Envelope[list[dict[str, Any]]]:
    owner = principal.owner_filter("files:all")
    found = duplicates.similar(session, owner_id=owner, asset_id=asset_id, threshold=threshold)
    rows = {
        a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_([a for a, _ in found])))
    }
    base = base_url(request, runtime)
    return envelope(
        [
            {"distance": d, "asset": to_out(rows[a], base, runtime).model_dump(mode="json")}
            for a, d in found
            if a in rows
        ]
    )
