"""`/account`: the caller's own account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, EmailStr, Field

from satchel.accounts import service
from satchel.api.deps import AdminUser, ReadUser, SessionDep
from satchel.api.envelope import Envelope, envelope
from satchel.assets.schemas import Request
from satchel.auth.models import User

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


def account_out(user: User) -> AccountOut:
    return AccountOut(
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
def get_account(session: SessionDep, principal: ReadUser) -> Envelope[AccountOut]:
    return envelope(account_out(service.get_account(session, user_id=principal.user_id)))


@router.patch("/account", summary="Change your display name or email")
def patch_account(
    body: AccountPatch, session: SessionDep, principal: AdminUser
) -> Envelope[AccountOut]:
    user = service.patch_account(
        session, user_id=principal.user_id, changes=body.model_dump(include=body.model_fields_set)
    )
    return envelope(account_out(user))


@router.post("/account/onboard", summary="Mark yourself onboarded (idempotent)")
def onboard(
    session: SessionDep, principal: AdminUser, body: Onboard | None = None
) -> Envelope[AccountOut]:
    user = service.onboard(
        session, user_id=principal.user_id, display_name=body.display_name if body else None
    )
    return envelope(account_out(user))
