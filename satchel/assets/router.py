"""HTTP routes of the assets API; each parses, calls one service function, and wraps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from satchel.api.deps import (
    ReadFiles,
    RuntimeDep,
    SessionDep,
    WriteFiles,
    client_ip,
)
from satchel.api.envelope import Envelope, envelope
from satchel.assets import deletion, facets, service
from satchel.assets.listing import ListQuery, list_assets
from satchel.assets.params import LibraryParams
from satchel.assets.schemas import (
    AssetOut,
    AssetPatch,
    BatchDelete,
    BatchDeleteResult,
    Reprocessed,
    Usage,
    UsageStats,
)
from satchel.assets.usage import usage as owner_usage
from satchel.assets.views import base_url, to_out
from satchel.lifecycle import references
from satchel.processing import service as processing
from satchel.search import duplicates
from satchel.search import service as search_index
from satchel.skills import service as skills
from satchel.trash import service as trash
from satchel.uploads import service as uploads

router = APIRouter(tags=["assets"])


@router.get("/assets", summary="List assets")
def list_route(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
    library: LibraryParams,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    search: Annotated[str | None, Query(max_length=200, description="Alias of q")] = None,
    kind: str | None = None,
    type: Annotated[str | None, Query(description="Alias of kind")] = None,
    media_type: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    modified_after: datetime | None = None,
    sort: str = "created_at",
    order: Literal["asc", "desc"] = "desc",
    mode: Annotated[
        Literal["keyword", "semantic", "hybrid"] | None,
        Query(description="How `q` matches: words, meaning, or both (default once indexed)"),
    ] = None,
) -> Envelope[list[AssetOut]]:
    query = ListQuery(
        limit=limit,
        cursor=cursor,
        q=q or search,
        kind=kind or type,
        media_type=media_type,
        status=status,
        tag=tag,
        created_after=created_after,
        created_before=created_before,
        modified_after=modified_after,
        sort=sort,
        order=order,
        library=library,
    )
    owner = principal.owner_filter("files:all")
    if query.q and mode != "keyword":
        ranked = search_index.list_ranked(session, owner_id=owner, query=query, mode=mode)
        if ranked is not None:
            rows, meta = ranked
            return envelope([to_out(a, base_url(request, runtime), runtime) for a in rows], **meta)
    rows, next_cursor = list_assets(session=session, owner_id=owner, query=query)
    return envelope(
        [to_out(a, base_url(request, runtime), runtime) for a in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
    )


@router.get(
    "/assets/facets",
    summary="Counts per kind, year and month taken, camera, orientation and tag",
    description="Over the caller's assets the same library filters select (trashed ones "
    "never, archived ones only when asked): for filter menus and timelines.",
)
def facets_route(
    session: SessionDep, principal: ReadFiles, library: LibraryParams
) -> Envelope[dict[str, Any]]:
    return envelope(facets.facets(session=session, owner_id=principal.user_id, library=library))


@router.get(
    "/assets/duplicates",
    summary="Groups of the caller's assets that hold exactly the same bytes",
    description="Same SHA-256 stored more than once (uploads with `dedupe=false`, or copies "
    "in other folders), to review and clean up. With `near=true`, groups of pictures that "
    "look alike (perceptual hashes, made by the `hashes` skill) follow as `kind: near`: a "
    "separate kind of group, never merged with the exact ones (first page only).",
)
def duplicates_route(
    session: SessionDep,
    principal: ReadFiles,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
    near: bool = False,
    threshold: Annotated[
        int, Query(ge=0, le=32, description="Most differing bits of 64 (pHash) for `near`")
    ] = duplicates.DEFAULT_THRESHOLD,
) -> Envelope[list[dict[str, Any]]]:
    groups, next_cursor = facets.duplicates(
        session, owner_id=principal.user_id, limit=limit, cursor=cursor
    )
    if near and cursor is None:
        groups += duplicates.near_groups(session, owner_id=principal.user_id, threshold=threshold)
    return envelope(groups, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.get("/assets/usage-stats", summary="Totals and the per-content-type breakdown")
def usage_stats(session: SessionDep, principal: ReadFiles) -> Envelope[UsageStats]:
    data = owner_usage(session=session, owner_id=principal.user_id)
    return envelope(
        UsageStats(
            total_assets=data["total_assets"],
            total_bytes=data["total_bytes"],
            total_derivatives=data["total_derivatives"],
            content_type_breakdown=data["by_content_type"],
        )
    )


@router.get("/usage", summary="Storage used by the caller", tags=["usage"])
def usage(session: SessionDep, principal: ReadFiles) -> Envelope[Usage]:
    data = owner_usage(session=session, owner_id=principal.user_id)
    return envelope(Usage.model_validate(data))


@router.post("/assets/batch-delete", summary="Delete several assets")
def batch_delete(
    body: BatchDelete | list[str], request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[BatchDeleteResult]:
    ids = body if isinstance(body, list) else body.ids
    deleted, missing, blocked = deletion.batch_delete(
        db=runtime.db,
        blobs=runtime.blobs,
        owner_id=principal.owner_filter("files:all"),
        ids=ids,
        actor_id=principal.user_id,
        ip=client_ip(request),
    )
    return envelope(
        BatchDeleteResult(
            requested=len(ids), deleted=deleted, not_found_ids=missing, blocked_ids=blocked
        )
    )


@router.get(
    "/assets/{asset_id}",
    summary="Get one asset (or, for an id an announced upload reserved, its `uploading` view)",
)
def get_asset(
    asset_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, principal: ReadFiles
) -> Envelope[AssetOut]:
    owner = principal.owner_filter("files:all")
    asset = uploads.asset_or_reservation(session=session, owner_id=owner, asset_id=asset_id)
    out = to_out(asset, base_url(request, runtime), runtime)
    out.ai_results = skills.ai_results_view(session, asset.id)
    out.last_skill_execution = skills.last_execution(session, asset.id)
    return envelope(out)


@router.patch("/assets/{asset_id}", summary="Change an asset's metadata")
def patch_asset(
    asset_id: str, body: AssetPatch, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[AssetOut]:
    service.check_fields(body, max_chars=runtime.settings.max_description_chars)
    changes = body.model_dump(include=body.model_fields_set - {"run_enrichment"})
    asset = service.patch(
        db=runtime.db,
        owner_id=principal.owner_filter("files:all"),
        asset_id=asset_id,
        changes=changes,
    )
    if changes.keys() & {"description", "alt_text", "tags", "filename"}:
        search_index.refresh(runtime, asset_id=asset.id)
    return envelope(to_out(asset, base_url(request, runtime), runtime))


@router.delete(
    "/assets/{asset_id}",
    summary="Move an asset to the trash (or, with `permanent=true`, delete it for good)",
    description="Answers the delete plan either way; a trashed asset is invisible to every "
    "read until restored (`POST /trash/restore`) and is deleted for good after "
    "`SATCHEL_TRASH_DAYS`. `permanent=true` deletes now: the row goes, its id is tombstoned "
    "(a repeat answers `already_deleted`) and bytes nothing else uses are removed. With "
    "`dry_run=true`, answer the plan and change nothing. A delete (or trashing) blocked by "
    "hard references is `409 asset_delete_blocked`. The id of an upload still in progress "
    "cancels that upload.",
)
def delete_asset(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    principal: WriteFiles,
    dry_run: bool = False,
    permanent: bool = False,
) -> Envelope[dict[str, Any]]:
    result, trashed = trash.delete(
        db=runtime.db,
        blobs=runtime.blobs,
        owner_id=principal.owner_filter("files:all"),
        asset_id=asset_id,
        actor_id=principal.user_id,
        ip=client_ip(request),
        dry_run=dry_run,
        permanent=permanent,
    )
    if dry_run:
        return envelope(
            result.plan or {"asset_id": asset_id}, dry_run=True, already_deleted=result.plan is None
        )
    if trashed is not None and trashed.plan is not None:
        return envelope(
            {
                "id": asset_id,
                "deleted": False,
                "trashed": True,
                "trashed_at": trashed.trashed_at.isoformat() if trashed.trashed_at else None,
                "plan": trashed.plan,
            },
            already_deleted=False,
            already_trashed=trashed.already_trashed,
        )
    return envelope(
        {"id": asset_id, "deleted": True, "plan": result.plan}, already_deleted=result.plan is None
    )


@router.get("/assets/{asset_id}/references", summary="The durable places that point at it")
def get_references(
    asset_id: str, session: SessionDep, principal: ReadFiles
) -> Envelope[dict[str, Any]]:
    owner = principal.owner_filter("files:all")
    asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
    return envelope({"asset_id": asset.id, **references.view(references.of(session, asset.id))})


@router.get("/assets/{asset_id}/metadata", summary="Metadata as extracted, and normalized")
def get_metadata(
    asset_id: str, session: SessionDep, principal: ReadFiles
) -> Envelope[dict[str, Any]]:
    owner = principal.owner_filter("files:all")
    asset = service.get(session=session, owner_id=owner, asset_id=asset_id)
    return envelope(
        {"normalized": dict(asset.info or {}), "raw": dict(asset.raw_metadata or {})},
        status=asset.status,
    )


@router.post("/assets/{asset_id}/reprocess", status_code=202, summary="Process the asset again")
def reprocess(
    asset_id: str, request: Request, runtime: RuntimeDep, principal: WriteFiles
) -> Envelope[AssetOut]:
    # The job row commits (and the write turn ends) before it is queued.
    with runtime.db.write_session() as session:
        job = processing.reprocess(
            session,
            owner_id=principal.owner_filter("files:all"),
            asset_id=asset_id,
            actor_id=principal.user_id,
        )
    runtime.queue.enqueue(job.id)
    with runtime.db.session() as session:
        asset = service.get(session=session, owner_id=None, asset_id=asset_id)
        return envelope(to_out(asset, base_url(request, runtime), runtime), job_id=job.id)


@router.post("/assets/bulk-reprocess", summary="Process a page of ready or failed assets again")
def bulk_reprocess(
    runtime: RuntimeDep,
    principal: WriteFiles,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    kind: str | None = None,
) -> Envelope[Reprocessed]:
    with runtime.db.write_session() as session:
        job_ids, next_cursor = processing.bulk_reprocess(
            session,
            owner_id=principal.owner_filter("files:all"),
            actor_id=principal.user_id,
            cursor=cursor,
            limit=limit,
            kind=kind,
        )
    runtime.queue.enqueue(*job_ids)
    return envelope(
        Reprocessed(
            processed=len(job_ids),
            next_cursor=next_cursor,
            has_more=next_cursor is not None,
            job_ids=job_ids,
        )
    )
