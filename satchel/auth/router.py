"""Sign-in, sessions, users, API keys, roles and teams."""

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
    csrf_token,
)
from satchel.api.envelope import Envelope, envelope
from satchel.assets import deletion
from satchel.audit.service import record
from satchel.auth import service, sessions, users
from satchel.auth.models import ApiKey, LoginSession, Role, Team, User
from satchel.auth.schemas import (
    ChangePassword,
    CreatedKey,
    CreateKey,
    KeyOut,
    LoginBody,
    LoginOut,
    RegisterUser,
    ResetPassword,
    RoleBody,
    RoleOut,
    RolePatch,
    SessionOut,
    TeamBody,
    TeamOut,
    UpdateUser,
    UserOut,
)
from satchel.auth.service import Principal
from satchel.preferences import service as preferences

auth_router = APIRouter(tags=["auth"])
router = APIRouter()

ManageUsers = Annotated[Principal, caller("admin", "users:manage")]
SeeUsers = Annotated[Principal, caller("read", "users:manage")]
ManageTeams = Annotated[Principal, caller("admin", "teams:manage")]
SeeTeams = Annotated[Principal, caller("read", "teams:manage")]
SeeRoles = Annotated[Principal, caller("read", "audit:read")]
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
    csrf = csrf_token(runtime, signed.session.id)
    max_age = int(lifetime.total_seconds())
    secure = runtime.settings.cookie_secure
    # The browser path: the token in an HttpOnly cookie, plus a readable CSRF token that
    # unsafe requests must echo in a header (double submit, bound to the session).
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="lax", secure=secure, path="/"
    )
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
        actor_id=principal.user_id,
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
    )
    return envelope({"reset": True})


@auth_router.delete("/users/{user_id}", summary="Delete a user and their assets")
async def delete_user(
    user_id: str, request: Request, runtime: RuntimeDep, principal: ManageUsers
) -> Envelope[dict[str, Any]]:
    def run() -> int:
        with runtime.db.session() as session:
            users.check_deletable(session, actor_id=principal.user_id, user_id=user_id)
        removed = deletion.delete_all_for_owner(
            db=runtime.db, blobs=runtime.blobs, owner_id=user_id, actor_id=principal.user_id
        )
        with runtime.db.write_session() as session:
            users.delete_user(
                session, actor_id=principal.user_id, user_id=user_id, ip=client_ip(request)
            )
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


# --- roles -----------------------------------------------------------------------------


def role_out(role: Role, count: int) -> RoleOut:
    return RoleOut(
        id=role.id,
        name=role.name,
        description=role.description,
        permissions=list(role.permissions),
        builtin=role.builtin,
        user_count=count,
    )


@router.get("/roles", tags=["roles"], summary="List roles with their user counts")
def list_roles(session: SessionDep, _: SeeRoles) -> Envelope[list[RoleOut]]:
    return envelope([role_out(r, n) for r, n in users.list_roles(session)])


@router.post("/roles", status_code=201, tags=["roles"], summary="Create a custom role")
def create_role(
    body: RoleBody, request: Request, session: WriteSessionDep, principal: ManageUsers
) -> Envelope[RoleOut]:
    role = users.create_role(
        session,
        actor_id=principal.user_id,
        name=body.name,
        description=body.description,
        permissions=body.permissions,
        ip=client_ip(request),
    )
    return envelope(role_out(role, 0))


@router.put("/roles/{role_id}", tags=["roles"], summary="Change a custom role")
def update_role(
    role_id: str,
    body: RolePatch,
    request: Request,
    session: WriteSessionDep,
    principal: ManageUsers,
) -> Envelope[RoleOut]:
    role = users.update_role(
        session,
        actor_id=principal.user_id,
        role_id=role_id,
        changes=body.model_dump(include=body.model_fields_set),
        ip=client_ip(request),
    )
    count = dict((r.id, n) for r, n in users.list_roles(session)).get(role.id, 0)
    return envelope(role_out(role, count))


@router.delete("/roles/{role_id}", tags=["roles"], summary="Delete a custom role")
def delete_role(
    role_id: str, request: Request, session: WriteSessionDep, principal: ManageUsers
) -> Envelope[dict[str, Any]]:
    moved = users.delete_role(
        session, actor_id=principal.user_id, role_id=role_id, ip=client_ip(request)
    )
    return envelope({"id": role_id, "deleted": True, "users_moved_to_user": moved})


# --- teams -----------------------------------------------------------------------------


def team_out(team: Team, count: int) -> TeamOut:
    return TeamOut(id=team.id, name=team.name, is_default=team.is_default, member_count=count)


@router.get("/teams", tags=["teams"], summary="List teams")
def list_teams(session: SessionDep, _: SeeTeams) -> Envelope[list[TeamOut]]:
    return envelope([team_out(t, n) for t, n in users.list_teams(session)])


@router.post("/teams", status_code=201, tags=["teams"], summary="Create a team")
def create_team(
    body: TeamBody, request: Request, session: WriteSessionDep, principal: ManageTeams
) -> Envelope[TeamOut]:
    team = users.create_team(
        session, actor_id=principal.user_id, name=body.name, ip=client_ip(request)
    )
    return envelope(team_out(team, 0))


@router.put("/teams/{team_id}", tags=["teams"], summary="Rename a team")
def rename_team(
    team_id: str, body: TeamBody, request: Request, session: WriteSessionDep, principal: ManageTeams
) -> Envelope[TeamOut]:
    team = users.rename_team(
        session, actor_id=principal.user_id, team_id=team_id, name=body.name, ip=client_ip(request)
    )
    count = dict((t.id, n) for t, n in users.list_teams(session)).get(team.id, 0)
    return envelope(team_out(team, count))


@router.delete("/teams/{team_id}", tags=["teams"], summary="Delete an empty, non-default team")
def delete_team(
    team_id: str, request: Request, session: WriteSessionDep, principal: ManageTeams
) -> Envelope[dict[str, Any]]:
    users.delete_team(session, actor_id=principal.user_id, team_id=team_id, ip=client_ip(request))
    return envelope({"id": team_id, "deleted": True})
