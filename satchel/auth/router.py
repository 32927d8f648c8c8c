"""Sign-in, sessions, users and API keys (roles and teams: `roles_router`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from satchel.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Public,
    ReadUser,
    RuntimeDep,
    SessionDep,
    WriteSessionDep,
    WriteUser,
    caller,
    client_ip,
    set_session_cookies,
)
from satchel.api.envelope import Envelope, envelope
from satchel.assets import deletion
from satchel.audit.service import record
from satchel.auth import service, sessions, users
from satchel.auth.models import ApiKey, LoginSession, User
from satchel.auth.schemas import (
    ChangePassword,
    CreatedKey,
    CreateKey,
    KeyOut,
    LoginBody,
    LoginOut,
    RegisterUser,
    ResetPassword,
    SessionOut,
    UpdateUser,
    UserOut,
)
from satchel.auth.service import Principal
from satchel.codes import Code
from satchel.errors import Invalid
from satchel.preferences import service as preferences

auth_router = APIRouter(tags=["auth"])
router = APIRouter()

ManageUsers = Annotated[Principal, caller("admin", "users:manage")]
SeeUsers = Annotated[Principal, caller("read", "users:manage")]
ReadKeys = Annotated[Principal, caller("read", "apikeys:own")]
ManageKeys = Annotated[Principal, caller("admin", "apikeys:own")]


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        email=user.email,
        role=user.role,
        team_id=user.team_id,
        display_name=user.display_name,
        status=user.status,
        created_at=user.created_at,
    )


def key_out(key: ApiKey) -> KeyOut:
    return KeyOut(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        scopes=list(key.scopes),
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        expires_at=key.expires_at,
        user_id=key.user_id,
    )


# --- sessions --------------------------------------------------------------------------


@auth_router.post("/login", summary="Sign in with a username (or email) and password")
def login(
    body: LoginBody,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    session: WriteSessionDep,
    _: Public,
) -> Envelope[LoginOut]:
    limit = int(preferences.get_value(session, "loginAttemptLimit"))
    lifetime = timedelta(hours=runtime.settings.session_hours)
    signed = sessions.login(
        session,
        login=body.username,
        password=body.password,
        ip=client_ip(request),
        limit=limit,
        lifetime=lifetime,
    )
    csrf = set_session_cookies(response, runtime=runtime, signed=signed, lifetime=lifetime)
    return envelope(
        LoginOut(
            token=signed.token,
            expires_at=signed.session.expires_at,
            csrf_token=csrf,
            user=user_out(signed.user),
        )
    )


@auth_router.post("/logout", summary="End the current session")
def logout(
    request: Request, response: Response, session: WriteSessionDep, principal: ReadUser
) -> Envelope[dict[str, bool]]:
    sessions.logout(
        session, session_id=principal.session_id, user_id=principal.user_id, ip=client_ip(request)
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return envelope({"logged_out": True})


@auth_router.get("/session", summary="Who the current credential belongs to")
def current_session(session: SessionDep, principal: ReadUser) -> Envelope[SessionOut]:
    user = session.get(User, principal.user_id)
    assert user is not None
    expires = None
    if principal.session_id:
        expires = session.get(LoginSession, principal.session_id).expires_at  # type: ignore[union-attr]
    return envelope(
        SessionOut(
            user=user_out(user),
            scopes=sorted(principal.scopes),
            permissions=sorted(principal.permissions),
            session_expires_at=expires,
            key_id=principal.key_id,
        )
    )


@auth_router.post(
    "/change-password", summary="Change your password (ends other sessions, revokes keys)"
)
def change_password(
    body: ChangePassword, request: Request, session: WriteSessionDep, principal: WriteUser
) -> Envelope[dict[str, bool]]:
    sessions.change_password(
        session,
        user_id=principal.user_id,
        current=body.current_password,
        new=body.new_password,
        session_id=principal.session_id,
        ip=client_ip(request),
    )
    return envelope({"changed": True})


# --- users (admin) ---------------------------------------------------------------------


@auth_router.get("/users", summary="List users")
def list_users(session: SessionDep, _: SeeUsers) -> Envelope[list[UserOut]]:
    return envelope([user_out(u) for u in users.list_users(session)])


@auth_router.post("/register", status_code=201, summary="Create a user")
def register(
    body: RegisterUser, request: Request, session: WriteSessionDep, principal: ManageUsers
) -> Envelope[UserOut]:
    user = users.create_user(
        session,
        actor_id=principal.user_id,
        username=body.username,
        password=body.password,
        email=body.email,
        role=body.role,
        team_id=body.team_id,
        display_name=body.display_name,
        ip=client_ip(request),
        actor=principal,
    )
    return envelope(user_out(user))


@auth_router.put("/users/{user_id}", summary="Change a user's role, team or name")
def update_user(
    user_id: str,
    body: UpdateUser,
    request: Request,
    session: WriteSessionDep,
    principal: ManageUsers,
) -> Envelope[UserOut]:
    user = users.update_user(
        session,
        actor=principal,
        user_id=user_id,
        changes=body.model_dump(include=body.model_fields_set),
        ip=client_ip(request),
    )
    return envelope(user_out(user))


@auth_router.post("/users/{user_id}/reset-password", summary="Set a user's password")
def reset_password(
    user_id: str,
    body: ResetPassword,
    request: Request,
    session: WriteSessionDep,
    principal: ManageUsers,
) -> Envelope[dict[str, bool]]:
    users.reset_password(
        session,
        actor_id=principal.user_id,
        user_id=user_id,
        password=body.password,
        ip=client_ip(request),
        actor=principal,
    )
    return envelope({"reset": True})


@auth_router.delete("/users/{user_id}", summary="Delete a user and their assets")
async def delete_user(
    user_id: str, request: Request, runtime: RuntimeDep, principal: ManageUsers
) -> Envelope[dict[str, Any]]:
    def run() -> int:
        with runtime.db.session() as session:
            users.check_deletable(session, actor=principal, user_id=user_id)
        removed = deletion.delete_all_for_owner(
            db=runtime.db, blobs=runtime.blobs, owner_id=user_id, actor_id=principal.user_id
        )
        with runtime.db.write_session() as session:
            users.delete_user(session, actor=principal, user_id=user_id, ip=client_ip(request))
        return removed

    removed = await run_in_threadpool(run)
    return envelope({"id": user_id, "deleted": True, "assets_deleted": removed})


# --- API keys --------------------------------------------------------------------------


@router.get("/api-keys", tags=["api-keys"], summary="List your API keys (never the raw key)")
def list_keys(session: SessionDep, principal: ReadKeys) -> Envelope[list[KeyOut]]:
    owner = principal.owner_filter("apikeys:all")
    return envelope([key_out(k) for k in service.list_keys(session, owner_id=owner)])


@router.post("/api-keys", status_code=201, tags=["api-keys"], summary="Create an API key")
def create_key(
    body: CreateKey, request: Request, session: WriteSessionDep, principal: ManageKeys
) -> Envelope[CreatedKey]:
    key, raw = service.create_key(
        session,
        user_id=principal.user_id,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
    )
    session.flush()
    record(
        session,
        action="API_KEY_CREATED",
        actor_id=principal.user_id,
        ip=client_ip(request),
        target_type="api_key",
        target_id=key.id,
        name=key.name,
        scopes=key.scopes,
    )
    session.commit()
    return envelope(CreatedKey(**key_out(key).model_dump(), key=raw))


@router.delete(
    "/api-keys/current",
    tags=["api-keys"],
    summary="Revoke the API key this request is signed with (signing a machine out)",
)
def revoke_current_key(
    request: Request, session: WriteSessionDep, principal: ReadKeys
) -> Envelope[dict[str, Any]]:
    # Giving up one's own credential only ever takes power away: any scope may.
    if principal.key_id is None:
        raise Invalid(
            "This request is not signed with an API key (a session ends with /auth/logout).",
            code=Code.NOT_AN_API_KEY,
        )
    key = service.revoke_key(session, owner_id=principal.user_id, key_id=principal.key_id)
    record(
        session,
        action="API_KEY_REVOKED",
        actor_id=principal.user_id,
        ip=client_ip(request),
        target_type="api_key",
        target_id=key.id,
    )
    session.commit()
    return envelope({"id": key.id, "revoked": True})


@router.delete("/api-keys/{key_id}", tags=["api-keys"], summary="Revoke an API key (idempotent)")
def revoke_key(
    key_id: str, request: Request, session: WriteSessionDep, principal: ManageKeys
) -> Envelope[dict[str, Any]]:
    key = service.revoke_key(session, owner_id=principal.owner_filter("apikeys:all"), key_id=key_id)
    record(
        session,
        action="API_KEY_REVOKED",
        actor_id=principal.user_id,
        ip=client_ip(request),
        target_type="api_key",
        target_id=key.id,
    )
    session.commit()
    return envelope({"id": key_id, "revoked": True})
