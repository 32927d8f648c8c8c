"""HTTP routes of the trash: list, trash many, restore, empty."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from satchel.api.deps import ReadFiles, RuntimeDep, SessionDep, WriteFiles, client_ip
from satchel.api.envelope import Envelope, envelope
from satchel.assets.schemas import AssetOut
from satchel.assets.schemas import Request as Body
from satchel.assets.views import base_url, to_out
from satchel.trash import jobs as _jobs  # noqa: F401 (registers the periodic purge)
from satchel.trash import service

router = APIRouter(tags=["trash"])


class Ids(Body):
    ids: list[str] = Field(min_length=1, max_length=1000)


class TrashResult(BaseModel):
    trashed: list[str]
    not_found_ids: list[str]
    blocked_ids: list[str] = Field(description="Hard references still need them.")


class Restored(BaseModel):
    restored: list[str]
    not_found_ids: list[str] = Field(description="Not in the caller's trash.")


class Emptied(BaseModel):
    deleted: int
    blocked_ids: list[str]


@router.get("/trash", summary="The caller's trash, most recently trashed first")
def list_trash(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Envelope[list[AssetOut]]:
    rows, next_cursor = service.listing(
        session, owner_id=principal.owner_filter("files:all"), limit=limit, cursor=cursor
    )
    base = base_url(request, runtime)
    return envelope(
        [to_out(a, base, runtime) for a in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
    )


@router.post("/trash", summary="Move several assets to the trash")
def trash_many(
    body: Ids, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[TrashResult]:
    done, missing, blocked = service.trash_many(
        db=runtime.db,
        owner_id=principal.owner_filter("files:all"),
        ids=body.ids,
        actor_id=principal.user_id,
        ip=client_ip(request),
    )
    return envelope(TrashResult(trashed=done, not_found_ids=missing, blocked_ids=blocked))


@router.post("/trash/restore", summary="Take assets out of the trash (same ids, same bytes)")
def restore(
    body: Ids, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[Restored]:
    restored, missing = service.restore(
        db=runtime.db,
        owner_id=principal.owner_filter("files:all"),
        ids=body.ids,
        actor_id=principal.user_id,
        ip=client_ip(request),
    )
    return envelope(Restored(restored=restored, not_found_ids=missing))


@router.post("/trash/empty", summary="Delete everything in the trash for good")
def empty(runtime: RuntimeDep, principal: WriteFiles) -> Envelope[Emptied]:
    deleted, blocked = service.empty(
        db=runtime.db,
        blobs=runtime.blobs,
        owner_id=principal.user_id,
        actor_id=principal.user_id,
    )
    return envelope(Emptied(deleted=deleted, blocked_ids=blocked))
