"""`/spaces`, publications, and the public (no key) space and profile endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.responses import Response

from satchel.api.deps import (
    Public,
    ReadFiles,
    RuntimeDep,
    SessionDep,
    WriteFiles,
    WriteSessionDep,
    caller,
    client_ip,
)
from satchel.api.envelope import ERROR_RESPONSES, Envelope, envelope
from satchel.assets import service as assets
from satchel.assets.content import Payload, send_payload
from satchel.assets.models import Asset, Blob
from satchel.assets.privacy import visitor_original
from satchel.assets.schemas import AssetOut
from satchel.assets.schemas import Request as Body
from satchel.assets.views import base_url, to_out
from satchel.auth.models import User
from satchel.auth.service import Principal
from satchel.codes import Code
from satchel.errors import Forbidden
from satchel.runtime import Runtime
from satchel.spaces import links, profiles, service
from satchel.spaces.models import Space
from satchel.spaces.public import manifest

router = APIRouter(tags=["spaces"])
public = APIRouter(tags=["public"])

# Sharing is part of managing one's own files: a `write` key may make and change spaces.
ManageSpaces = Annotated[Principal, caller("write", "files:own")]


STRIP_HELP = (
    "Visitors get images without location, camera and other private metadata (a cached "
    "stripped copy); you still get the untouched original."
)
DOWNLOAD_HELP = (
    "Visitors may download originals; false: previews only (the manifest has no `url`, an "
    "original's link answers 403 download_not_allowed)."
)
EXPIRES_HELP = "When the share stops working (404 for everyone); null: never."


class SpaceCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    visibility: str = "private"
    password: str | None = Field(None, min_length=1, max_length=1024)
    allow_duplicate_name: bool = Field(
        False, description="Keep a name another of your spaces has (refused otherwise: 409)."
    )
    strip_metadata: bool = Field(True, description=STRIP_HELP)
    allow_download: bool = Field(True, description=DOWNLOAD_HELP)
    expires_at: datetime | None = Field(None, description=EXPIRES_HELP)


class SpacePatch(Body):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    visibility: str | None = None
    password: str | None = Field(None, min_length=1, max_length=1024)
    cover_asset_id: str | None = None
    allow_duplicate_name: bool = False
    strip_metadata: bool | None = Field(None, description=STRIP_HELP)
    allow_download: bool | None = Field(None, description=DOWNLOAD_HELP)
    expires_at: datetime | None = Field(None, description=EXPIRES_HELP)


class Publish(Body):
    asset_ids: list[str] = Field(min_length=1, max_length=500)


class Unlock(Body):
    password: str = Field(max_length=1024)


class SpaceOut(BaseModel):
    id: str
    short_id: str
    name: str
    description: str | None
    visibility: str
    has_password: bool
    cover_asset_id: str | None
    strip_metadata: bool
    allow_download: bool
    expires_at: datetime | None
    asset_count: int
    share_url: str
    created_at: datetime
    updated_at: datetime


def space_out(space: Space, request: Request, runtime: Runtime, count: int) -> SpaceOut:
    return SpaceOut(
        id=space.id,
        short_id=space.short_id,
        name=space.name,
        description=space.description,
        visibility=space.visibility,
        has_password=space.password_hash is not None,
        cover_asset_id=space.cover_asset_id,
        strip_metadata=space.strip_metadata,
        allow_download=space.allow_download,
        expires_at=space.expires_at,
        asset_count=count,
        share_url=f"{base_url(request, runtime)}/s/{space.short_id}",
        created_at=space.created_at,
        updated_at=space.updated_at,
    )


def _owner(principal: Principal) -> str | None:
    return principal.owner_filter("files:all")


@router.post("/spaces", status_code=201, summary="Create a space")
def create_space(
    body: SpaceCreate,
    request: Request,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    principal: ManageSpaces,
) -> Envelope[SpaceOut]:
    space = service.create(
        session,
        owner_id=principal.user_id,
        name=body.name,
        description=body.description,
        visibility=body.visibility,
        password=body.password,
        allow_duplicate_name=body.allow_duplicate_name,
        strip_metadata=body.strip_metadata,
        allow_download=body.allow_download,
        expires_at=body.expires_at,
    )
    return envelope(space_out(space, request, runtime, 0))


@router.get("/spaces", summary="Your spaces")
def list_spaces(
    request: Request, runtime: RuntimeDep, session: SessionDep, principal: ReadFiles
) -> Envelope[list[SpaceOut]]:
    spaces = service.list_spaces(session, owner_id=_owner(principal))
    return envelope(
        [space_out(s, request, runtime, service.asset_count(session, s.id)) for s in spaces]
    )


@router.get("/spaces/{space_id}", summary="One space, with its asset count")
def get_space(
    space_id: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
) -> Envelope[SpaceOut]:
    space = service.get(session, owner_id=_owner(principal), space_id=space_id)
    return envelope(space_out(space, request, runtime, service.asset_count(session, space.id)))


@router.patch("/spaces/{space_id}", summary="Change a space (`password: null` clears it)")
def patch_space(
    space_id: str,
    body: SpacePatch,
    request: Request,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    principal: ManageSpaces,
) -> Envelope[SpaceOut]:
    space = service.patch(
        session,
        owner_id=_owner(principal),
        space_id=space_id,
        changes=body.model_dump(include=body.model_fields_set),
    )
    return envelope(space_out(space, request, runtime, service.asset_count(session, space.id)))


@router.delete("/spaces/{space_id}", summary="Delete a space (its assets stay)")
def delete_space(
    space_id: str, session: WriteSessionDep, principal: ManageSpaces
) -> Envelope[dict[str, Any]]:
    service.remove(session, owner_id=_owner(principal), space_id=space_id)
    return envelope({"id": space_id, "deleted": True})


@router.post("/spaces/{space_id}/publications", summary="Publish assets into the space")
def publish(
    space_id: str, body: Publish, session: WriteSessionDep, principal: WriteFiles
) -> Envelope[list[dict[str, Any]]]:
    return envelope(
        service.publish(
            session, owner_id=_owner(principal), space_id=space_id, asset_ids=body.asset_ids
        )
    )


@router.get("/spaces/{space_id}/publications", summary="The assets published in the space")
def publications(
    space_id: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
) -> Envelope[list[AssetOut]]:
    space = service.get(session, owner_id=_owner(principal), space_id=space_id)
    return envelope(
        [
            to_out(a, base_url(request, runtime), runtime)
            for a in service.published_assets(session, space.id)
        ]
    )


@router.delete("/spaces/{space_id}/publications/{asset_id}", summary="Unpublish one asset")
def unpublish(
    space_id: str, asset_id: str, session: WriteSessionDep, principal: WriteFiles
) -> Envelope[dict[str, Any]]:
    service.unpublish(session, owner_id=_owner(principal), space_id=space_id, asset_id=asset_id)
    return envelope({"space_id": space_id, "asset_id": asset_id, "published": False})


@router.get("/assets/{asset_id}/spaces", summary="The spaces an asset is published in")
def asset_spaces(
    asset_id: str,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: ReadFiles,
) -> Envelope[list[SpaceOut]]:
    asset = assets.get(session=session, owner_id=_owner(principal), asset_id=asset_id)
    return envelope(
        [
            space_out(s, request, runtime, service.asset_count(session, s.id))
            for s in service.spaces_of(session, asset_id=asset.id)
        ]
    )


# --- public ----------------------------------------------------------------------------


@public.get("/public/spaces/{short_id}", summary="A shared space's manifest (no key)")
def public_space(
    short_id: str, request: Request, runtime: RuntimeDep, session: SessionDep, _: Public
) -> Envelope[dict[str, Any]]:
    space = service.shared(session, short_id)
    if space.visibility == "protected":
        return envelope({"requires_password": True})
    return envelope(manifest(session, space, base_url(request, runtime), runtime))


@public.post("/public/spaces/{short_id}/access", summary="Open a protected space")
def public_access(
    short_id: str,
    body: Unlock,
    request: Request,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    _: Public,
) -> Envelope[dict[str, Any]]:
    space = service.unlock(
        session, short_id=short_id, password=body.password, ip=client_ip(request)
    )
    return envelope(manifest(session, space, base_url(request, runtime), runtime))


@public.get("/public/profiles/{handle}", summary="A public profile (no key)")
def public_profile(
    handle: str, request: Request, runtime: RuntimeDep, session: SessionDep, _: Public
) -> Envelope[dict[str, Any]]:
    return envelope(
        profiles.public_view(
            session, handle=handle, base=base_url(request, runtime), runtime=runtime
        )
    )


# --- stable public byte URLs (outside /api/v1) ------------------------------------------

pages = APIRouter(tags=["public"], responses=ERROR_RESPONSES)


@pages.get(
    "/u/{handle}/avatar", summary="A profile's avatar (signed link)", response_class=Response
)
async def avatar(
    handle: str,
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    expires: str | None = None,
    sig: str | None = None,
) -> Response:
    def load() -> Payload:
        with runtime.db.session() as session:
            user = session.scalar(select(User).where(User.handle == handle.lower()))
            if user is None or user.avatar_sha256 is None:
                raise profiles.profile_not_found()
            runtime.signer.verify(
                f"avatar {user.handle} {user.avatar_sha256}", expires=expires, signature=sig
            )
            blob = session.get(Blob, user.avatar_sha256)
            assert blob is not None
            return Payload(blob, "image/webp", f"{handle}.webp", user.updated_at)

    payload = await run_in_threadpool(load)
    return await send_payload(request, payload=payload, blobs=runtime.blobs, full_check=False)


@pages.get(
    "/p/{asset_id}/{filename}", summary="A public asset's stable URL", response_class=Response
)
async def public_asset_bytes(
    asset_id: str, filename: str, request: Request, runtime: RuntimeDep, _: Public
) -> Response:
    def load() -> Payload:
        with runtime.db.session() as session:
            asset = session.scalar(select(Asset).where(Asset.id == asset_id, assets.live()))
            if asset is None or not assets.is_shown_to_visitors(asset) or asset.blob is None:
                raise assets.not_found(asset_id)
        if not asset.public_allow_download:
            raise Forbidden(
                "The owner of this file allows previews only.", code=Code.DOWNLOAD_NOT_ALLOWED
            )
        # Anyone may fetch this URL: images go out without location and camera data unless
        # the owner said otherwise.
        return visitor_original(runtime, asset, strip=asset.public_strip_metadata is not False)

    payload = await run_in_threadpool(load)
    return await send_payload(request, payload=payload, blobs=runtime.blobs, full_check=False)


@pages.head("/s/{short_id}/a/{asset_id}/{variant}", include_in_schema=False)
@pages.get(
    "/s/{short_id}/a/{asset_id}/{variant}",
    summary="A file of a shared space (a share link from its page or manifest)",
    response_class=Response,
)
async def shared_file(
    short_id: str,
    asset_id: str,
    variant: str,
    request: Request,
    runtime: RuntimeDep,
    _: Public,
    g: str | None = None,
    expires: str | None = None,
    sig: str | None = None,
) -> Response:
    def load() -> Payload:
        with runtime.db.session() as session:
            found = links.resolve(
                session,
                runtime,
                short_id=short_id,
                asset_id=asset_id,
                variant=variant,
                generation=g,
                expires=expires,
                sig=sig,
            )
        return links.payload(runtime, found)

    payload = await run_in_threadpool(load)
    response = await send_payload(request, payload=payload, blobs=runtime.blobs, full_check=False)
    # A revocable link: a shared cache must not keep serving it after the owner changes it.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
