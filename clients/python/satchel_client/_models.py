"""Typed views of the API's answers. Every model keeps the whole answer in `raw`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

M = TypeVar("M", bound="Model")
T = TypeVar("T")


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Model:
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls: type[M], data: dict[str, Any]) -> M:
        """Known fields from an answer (times parsed); unknown ones stay in `raw`."""
        values: dict[str, Any] = {"raw": data}
        for f in dataclasses.fields(cls):
            if f.name == "raw" or f.name not in data:
                continue
            value = data[f.name]
            if f.name.endswith("_at"):
                value = _when(value)
            values[f.name] = value
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)


@dataclass(frozen=True)
class Asset(Model):
    id: str = ""
    filename: str = ""
    media_type: str = ""
    kind: str = ""
    size: int = 0
    sha256: str | None = None
    status: str = ""
    tags: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    alt_text: str | None = None
    is_public: bool = False
    public_strip_metadata: bool = True
    public_allow_download: bool = True
    public_expires_at: datetime | None = None
    public_url: str | None = None
    folder: str = "/"
    is_favorite: bool = False
    is_archived: bool = False
    trashed_at: datetime | None = None
    taken_at: datetime | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    orientation: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    pages: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    failure_reason: str | None = None
    thumb_url: str | None = None
    preview_url: str | None = None
    urls: dict[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SignedUrl(Model):
    url: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Space(Model):
    id: str = ""
    short_id: str = ""
    name: str = ""
    description: str | None = None
    visibility: str = "private"
    has_password: bool = False
    cover_asset_id: str | None = None
    asset_count: int = 0
    share_url: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ApiKey(Model):
    id: str = ""
    name: str = ""
    prefix: str = ""
    scopes: list[str] = field(default_factory=list)
    user_id: str = ""
    key: str | None = None  # the raw key: only in the answer to create
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Account(Model):
    id: str = ""
    display_name: str | None = None
    email: str | None = None
    plan: str = ""
    status: str = ""
    handle: str | None = None
    bio: str | None = None
    links: list[Any] = field(default_factory=list)
    is_public: bool = False
    avatar_url: str | None = None
    onboarded_at: datetime | None = None


@dataclass(frozen=True)
class User(Model):
    id: str = ""
    username: str = ""
    email: str | None = None
    role: str = ""
    display_name: str | None = None


@dataclass(frozen=True)
class Session(Model):
    """Who a credential belongs to (`GET /auth/session`)."""

    user: dict[str, Any] = field(default_factory=dict)
    scopes: list[str] = field(default_factory=list)
    permissions: list[str] = field(default_factory=list)
    key_id: str | None = None
    session_expires_at: datetime | None = None


@dataclass(frozen=True)
class Login(Model):
    token: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Usage(Model):
    total_assets: int = 0
    total_bytes: int = 0
    stored_bytes: int = 0
    by_content_type: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Job(Model):
    id: str = ""
    kind: str = ""
    subject_id: str | None = None
    status: str = ""
    progress: int = 0
    message: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    attempts: int = 0
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


TERMINAL = frozenset({"completed", "failed", "cancelled", "skipped"})


@dataclass(frozen=True)
class JobEvent(Model):
    """One Server-Sent Event of `GET /jobs/{id}/progress`."""

    progress: int = 0
    status: str = ""
    message: str | None = None
    error: str | None = None
    result: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class Reprocessed(Model):
    processed: int = 0
    next_cursor: str | None = None
    has_more: bool = False
    job_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tool(Model):
    id: str = ""
    section: str = ""
    name: str = ""
    description: str | None = None
    available: bool = True


@dataclass(frozen=True)
class ToolResult(Model):
    """A tool or pipeline run: fast ones carry `download_url`, slow ones `is_async`."""

    job_id: str = ""
    download_url: str | None = None
    original_size: int | None = None
    processed_size: int | None = None
    filename: str | None = None

    @property
    def is_async(self) -> bool:
        return bool(self.raw.get("async"))


@dataclass(frozen=True)
class Uploaded(Model):
    """What `assets.upload` answers: the asset, and how it got there."""

    asset: Asset | None = None
    job_id: str | None = None
    deduplicated: bool = False
    resumed: bool = False
    mode: str = "single"  # single | multipart
    parts_sent: int = 0


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: items, and the cursor of the next page."""

    items: list[T]
    next_cursor: str | None
    has_more: bool


@dataclass(frozen=True)
class Webhook(Model):
    id: str = ""
    url: str = ""
    description: str = ""
    events: list[str] = field(default_factory=list)
    is_global: bool = False
    enabled: bool = True
    disabled_reason: str | None = None
    secret: str | None = None  # the signing secret: only in the answer to create
    created_at: datetime | None = None


@dataclass(frozen=True)
class WebhookDelivery(Model):
    id: str = ""  # also the `webhook-id` header
    event: str = ""
    status: str = ""
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    last_response_ms: int | None = None
    next_attempt_at: datetime | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
