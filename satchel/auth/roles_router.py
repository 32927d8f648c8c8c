"""Roles and teams: custom roles over the permissions, and the teams users belong to."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request

from satchel.api.deps import (
    SessionDep,
    WriteSessionDep,
    caller,
    client_ip,
)
from satchel.api.envelope import Envelope, envelope
from satchel.auth import users
from satchel.auth.models import Role, Team
from satchel.auth.schemas import (
    RoleBody,
    RoleOut,
    RolePatch,
    TeamBody,
    TeamOut,
)
from satchel.auth.service import Principal

router = APIRouter()

ManageTeams = Annotated[Principal, caller("admin", "teams:manage")]
SeeTeams = Annotated[Principal, caller("read", "teams:manage")]
SeeRoles = Annotated[Principal, caller("read", "audit:read")]
ManageUsers = Annotated[Principal, caller("admin", "users:manage")]


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
        actor=principal,
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
        actor=principal,
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
    moved = users.delete_role(session, actor=principal, role_id=role_id, ip=client_ip(request))
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
