"""`/account`: the caller's own account."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, EmailStr, Field
from starlette.responses import Response

from satchel.accounts import service
from satchel.api.deps import AdminUser, Public, ReadUser, RuntimeDep, WriteSessionDep
from satchel.api.envelope import Envelope, envelope
from satchel.api.receive import too_large
from satchel.assets.schemas import Request
from satchel.assets.views import base_url
from satchel.auth.models import User
from satchel.runs import sandbox
from satchel.runtime import Runtime
from satchel.spaces import profiles

router = APIRouter(tags=["account"])


class AccountOut(BaseModel):
    id: str
    display_name: str | None
    email: str | None
    plan: str = "self-hosted"
    status: str
    onboarded_at: datetime | None
    avatar_url: str | None = None
    handle: str | None
    bio: str | None
    links: list[Any]
    is_public: bool


class AccountPatch(Request):
    display_name: str | None = Field(None, max_length=200)
    email: EmailStr | None = None


class Onboard(Request):
    display_name: str | None = Field(None, max_length=200)


def account_out(user: User, base: str, runtime: Runtime) -> AccountOut:
    return AccountOut(
        avatar_url=profiles.avatar_url(runtime, base, user),
        id=user.id,
        display_name=user.display_name,
        email=user.email,
        status=user.status,
        onboarded_at=user.onboarded_at,
        handle=user.handle,
        bio=user.bio,
        links=list(user.links or []),
        is_public=user.is_public,
    )


@router.get("/account", summary="Your account")
def get_account(
    request: HttpRequest, runtime: RuntimeDep, session: WriteSessionDep, principal: ReadUser
) -> Envelope[AccountOut]:
    user = service.get_account(session, user_id=principal.user_id)
    return envelope(account_out(user, base_url(request, runtime), runtime))


@router.patch("/account", summary="Change your display name or email")
def patch_account(
    body: AccountPatch,
    request: HttpRequest,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    principal: AdminUser,
) -> Envelope[AccountOut]:
    user = service.patch_account(
        session, user_id=principal.user_id, changes=body.model_dump(include=body.model_fields_set)
    )
    return envelope(account_out(user, base_url(request, runtime), runtime))


@router.post("/account/onboard", summary="Mark yourself onboarded (idempotent)")
def onboard(
    request: HttpRequest,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    principal: AdminUser,
    body: Onboard | None = None,
) -> Envelope[AccountOut]:
    user = service.onboard(
        session, user_id=principal.user_id, display_name=body.display_name if body else None
    )
    return envelope(account_out(user, base_url(request, runtime), runtime))


class ProfileLink(Request):
    label: str = Field(
        "", max_length=60, description="Shown instead of the URL; empty shows the host"
    )
    url: str = Field(max_length=2000, description="An http(s) URL")


class ProfilePatch(Request):
    handle: str | None = Field(None, max_length=30)
    bio: str | None = Field(None, max_length=2000)
    links: list[ProfileLink | str] | None = Field(
        None,
        description='At most 6: `{"label", "url"}` objects or plain URL strings '
        '(`["https://example.com"]` is `[{"label": "", "url": "https://example.com"}]`)',
    )
    is_public: bool | None = None


class AvatarStart(Request):
    content_type: str
    size_bytes: int = Field(ge=0)


class AvatarComplete(Request):
    storage_key: str = Field(max_length=200)


@router.patch("/account/profile", summary="Your public profile: handle, bio, links, is_public")
def patch_profile(
    body: ProfilePatch,
    request: HttpRequest,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    principal: AdminUser,
) -> Envelope[AccountOut]:
    changes = body.model_dump(include=body.model_fields_set)
    if body.links is not None:
        changes["links"] = [
            {"label": "", "url": link} if isinstance(link, str) else link.model_dump()
            for link in body.links
        ]
    user = profiles.update_profile(session, user_id=principal.user_id, changes=changes)
    return envelope(account_out(user, base_url(request, runtime), runtime))


@router.post("/account/avatar", summary="Step 1: a signed PUT URL for the avatar's bytes")
def start_avatar(
    body: AvatarStart, request: HttpRequest, runtime: RuntimeDep, principal: AdminUser
) -> Envelope[dict[str, Any]]:
    key = profiles.start_avatar(
        user_id=principal.user_id, content_type=body.content_type, size_bytes=body.size_bytes
    )
    expires = int(time.time()) + int(profiles.AVATAR_UPLOAD_SECONDS.total_seconds())
    sig = runtime.signer.sign(f"PUT avatar {key} {body.size_bytes}", expires=expires)
    url = (
        f"{base_url(request, runtime)}/api/v1/account/avatar/upload?key={key}"
        f"&size={body.size_bytes}&expires={expires}&sig={sig}"
    )
    return envelope(
        {
            "url": url,
            "method": "PUT",
            "storage_key": key,
            "headers": {"Content-Type": body.content_type},
            "expires_at": datetime.fromtimestamp(expires, UTC).isoformat(),
        }
    )


@router.put("/account/avatar/upload", status_code=204, summary="The avatar's bytes (signed URL)")
async def put_avatar(
    request: HttpRequest,
    runtime: RuntimeDep,
    _: Public,
    key: str,
    size: int,
    expires: str | None = None,
    sig: str | None = None,
) -> Response:
    runtime.signer.verify(f"PUT avatar {key} {size}", expires=expires, signature=sig)
    staged = profiles.staged_path(runtime.blobs, key)
    tmp = staged.with_suffix(".part")
    received = 0
    with open(tmp, "wb") as fh:  # noqa: ASYNC230 - at most 10 MB, written in small pieces
        async for chunk in request.stream():
            received += len(chunk)
            if received > size:
                fh.close()
                tmp.unlink(missing_ok=True)
                raise too_large(size)
            fh.write(chunk)
    tmp.replace(staged)
    await run_in_threadpool(profiles.share_staged, runtime.blobs, key)  # scale-out
    return Response(status_code=204)


@router.post("/account/avatar/complete", summary="Step 2: check, resize to 256×256, swap in")
async def complete_avatar(
    body: AvatarComplete, request: HttpRequest, runtime: RuntimeDep, principal: AdminUser
) -> Envelope[AccountOut]:
    user = await sandbox.waiting(
        lambda: profiles.complete_avatar(
            runtime=runtime, user_id=principal.user_id, storage_key=body.storage_key
        )
    )
    return envelope(account_out(user, base_url(request, runtime), runtime))


@router.delete("/account/avatar", summary="Remove your avatar (idempotent)")
def delete_avatar(
    request: HttpRequest, runtime: RuntimeDep, principal: AdminUser
) -> Envelope[AccountOut]:
    profiles.delete_avatar(db=runtime.db, blobs=runtime.blobs, user_id=principal.user_id)
    with runtime.db.write_session() as session:
        user = service.get_account(session, user_id=principal.user_id)
        return envelope(account_out(user, base_url(request, runtime), runtime))
