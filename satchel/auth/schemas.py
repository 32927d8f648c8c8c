"""Request and response shapes of the auth, key, user, role and team routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices, BaseModel, Field

from satchel.assets.schemas import Request


class LoginBody(Request):
    username: str = Field(
        min_length=1, max_length=320, validation_alias=AliasChoices("username", "email", "login")
    )
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: str
    username: str
    email: str | None
    role: str
    team_id: str | None
    display_name: str | None
    status: str
    created_at: datetime


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    csrf_token: str
    user: UserOut


class SessionOut(BaseModel):
    user: UserOut
    scopes: list[str]
    permissions: list[str]
    session_expires_at: datetime | None = None
    key_id: str | None = None


class ChangePassword(Request):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class RegisterUser(Request):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(max_length=1024)
    email: str | None = Field(None, max_length=320)
    role: str = "user"
    team_id: str | None = None
    display_name: str | None = Field(None, max_length=200)


class UpdateUser(Request):
    role: str | None = None
    team_id: str | None = None
    display_name: str | None = Field(None, max_length=200)


class ResetPassword(Request):
    password: str = Field(
        max_length=1024, validation_alias=AliasChoices("password", "newPassword", "new_password")
    )


class CreateKey(Request):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(default_factory=lambda: ["write"])
    expires_at: datetime | None = None


class KeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    user_id: str


class CreatedKey(KeyOut):
    key: str = Field(description="The raw key; shown only in this response.")


class RoleBody(Request):
    name: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = Field("", max_length=500)
    permissions: list[str] = Field(default_factory=list)


class RolePatch(Request):
    name: str | None = Field(None, min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str | None = Field(None, max_length=500)
    permissions: list[str] | None = None


class RoleOut(BaseModel):
    id: str
    name: str
    description: str
    permissions: list[str]
    builtin: bool
    user_count: int


class TeamBody(Request):
    name: str = Field(min_length=1, max_length=100)


class TeamOut(BaseModel):
    id: str
    name: str
    is_default: bool
    member_count: int
