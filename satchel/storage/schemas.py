"""Request and response shapes of `/storage-connections`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator

from satchel.assets.schemas import Request

PROVIDERS = ("s3", "r2", "seaweedfs", "minio", "other")


class Credentials(Request):
    """Where the bucket is and the keys to it (the keys are never answered back)."""

    endpoint_url: str | None = Field(None, max_length=1000, description="Default: AWS S3.")
    region: str | None = Field(None, max_length=100)
    access_key_id: str = Field(
        min_length=1,
        max_length=256,
        validation_alias=AliasChoices("access_key_id", "accessKeyId"),
    )
    secret_access_key: SecretStr = Field(
        min_length=1,
        max_length=512,
        validation_alias=AliasChoices("secret_access_key", "secretAccessKey"),
    )

    # Accepted (and unused) so that every step of a setup wizard can send the same body.
    name: str | None = Field(None, max_length=200)
    provider: Literal["s3", "r2", "seaweedfs", "minio", "other"] | None = None
    bucket: str | None = Field(None, max_length=63)
    prefix: str = Field("", max_length=500)

    @field_validator("endpoint_url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("an http(s):// URL")
        return value.rstrip("/") if value else value

    @field_validator("prefix")
    @classmethod
    def _plain_prefix(cls, value: str) -> str:
        # The prefix goes into every object key on the wire: no dot segments (`../` would
        # climb out of the bucket's folder on some servers), no query, fragment or escapes.
        if any(c in value for c in "?#%\\") or any(ord(c) < 0x20 for c in value):
            raise ValueError("no ?, #, %, backslashes or control characters")
        if any(part in (".", "..") for part in value.strip("/").split("/")):
            raise ValueError("no . or .. segments")
        return value


class BucketTarget(Credentials):
    bucket: str = Field(min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.\-]+[a-z0-9]$")


class ConnectionIn(BucketTarget):
    name: str = Field(min_length=1, max_length=200)
    provider: Literal["s3", "r2", "seaweedfs", "minio", "other"] = "s3"


class ConnectionPatch(Request):
    """Rename, or replace the keys (the new keys are probed before they are kept)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    access_key_id: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        validation_alias=AliasChoices("access_key_id", "accessKeyId"),
    )
    secret_access_key: SecretStr | None = Field(
        None,
        min_length=1,
        max_length=512,
        validation_alias=AliasChoices("secret_access_key", "secretAccessKey"),
    )


class ConnectionOut(BaseModel):
    id: str
    name: str
    provider: str
    endpoint_url: str | None
    region: str | None
    bucket: str
    prefix: str
    access_key_id: str = Field(description="Masked: the first and last four characters.")
    asset_count: int
    created_at: datetime
    updated_at: datetime


class ProbeOut(BaseModel):
    name: Literal["head", "list", "put", "delete"]
    ok: bool
    code: str | None = None
    reason: str | None = None


class PreviewOut(BaseModel):
    ok: bool
    probes: list[ProbeOut]


class BucketOut(BaseModel):
    name: str
    created_at: datetime | None = None


class Deleted(BaseModel):
    id: str
    deleted: bool
