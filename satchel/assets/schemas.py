"""Request and response shapes of the assets API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from satchel.assets.folders import normalize
from satchel.errors import Invalid
from satchel.userjson import check_depth

MAX_TAGS = 64
MAX_TAG_CHARS = 100
MAX_ATTRIBUTES_BYTES = 64 << 10


def _both_spellings(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


class Request(BaseModel):
    """Request bodies: snake_case, also accepting the seeds' camelCase spellings."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=_both_spellings),
        populate_by_name=True,
        extra="forbid",
    )


class AssetFields(Request):
    """What a client may say about an asset, at upload or later."""

    description: str | None = None
    alt_text: str | None = None
    tags: list[str] | None = Field(None, max_length=MAX_TAGS)
    attributes: dict[str, Any] | None = None
    is_public: bool | None = None
    run_enrichment: bool | None = Field(
        None, description="Run AI enrichment after processing (default: the setting)."
    )
    folder: str | None = Field(
        None,
        description="Where the asset is kept: `/` (the top, the default) or `/album/sub`. "
        "Refused: `.`/`..` or empty segments and control characters.",
    )
    is_favorite: bool | None = None
    is_archived: bool | None = Field(None, description="Archived assets leave the default list.")
    allow_duplicates: bool | None = Field(
        None,
        description="Keep a file name the folder already has. By default an upload into a "
        "taken name is numbered (`photo (2).jpg`) and a rename or move onto one is refused "
        "(`409 folder_name_taken`).",
    )

    @field_validator("attributes", mode="before")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        # Nested JSON is stored and answered back: keep it shallow and small.
        check_depth(value, field="attributes")
        if value is not None and len(json.dumps(value, default=str)) > MAX_ATTRIBUTES_BYTES:
            raise ValueError(f"at most {MAX_ATTRIBUTES_BYTES} bytes of JSON")
        return value

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize(value)
        except Invalid as exc:
            raise ValueError(exc.fields[0]["message"] if exc.fields else str(exc)) from None


class AssetPatch(AssetFields):
    filename: str | None = Field(
        None, validation_alias=AliasChoices("filename", "file_name", "fileName", "originalFileName")
    )
    public_strip_metadata: bool | None = Field(
        None,
        description="Visitors of the public asset get it without location and camera data "
        "(default true; the owner always gets the untouched original).",
    )
    public_allow_download: bool | None = Field(
        None,
        description="Visitors may download the original (default true; false: previews "
        "only, and `/p/…` answers 403 download_not_allowed).",
    )
    public_expires_at: datetime | None = Field(
        None,
        description="When visitors stop getting the public asset (404 after it; null: "
        "never). A moment without a zone is taken as UTC.",
    )

    @field_validator("public_expires_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


class BatchDelete(Request):
    ids: list[str] = Field(min_length=1, max_length=1000)


class AssetUrls(BaseModel):
    self: str
    content: str
    raw: str


class DerivativeOut(BaseModel):
    kind: str
    media_type: str
    size: int
    width: int | None = None
    height: int | None = None
    url: str = Field(description="A signed link, valid for an hour.")


class AssetOut(BaseModel):
    id: str
    filename: str
    media_type: str
    kind: str
    size: int
    sha256: str | None
    status: str
    tags: list[str]
    attributes: dict[str, Any]
    description: str | None
    alt_text: str | None
    is_public: bool
    public_strip_metadata: bool = True
    public_allow_download: bool = True
    public_expires_at: datetime | None = None
    public_url: str | None = Field(
        None, description="Where anyone gets it while it is public (else null)."
    )
    folder: str = "/"
    is_favorite: bool = False
    is_archived: bool = False
    trashed_at: datetime | None = Field(None, description="In the trash since (else null).")
    taken_at: datetime | None = Field(
        None,
        description="When it was taken (EXIF DateTimeOriginal in UTC when it has an offset, "
        "else the camera's clock), else a document's creation date, else when it was stored.",
    )
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    orientation: str | None = Field(None, description="landscape, portrait or square.")
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    pages: int | None = None
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Normalized metadata found by processing."
    )
    failure_code: str | None = Field(
        None,
        description="Why the asset is failed or quarantined, as a stable code "
        "(asset_file_corrupt, processing_failed, processing_timed_out, processing_cancelled, "
        "processing_abandoned, asset_integrity_mismatch).",
    )
    failure_reason: str | None = None
    derivatives: list[DerivativeOut] = Field(default_factory=list)
    thumb_url: str | None = None
    preview_url: str | None = None
    processed_at: datetime | None = None
    version: int = Field(1, description="This file's version number (1 for the first).")
    root_id: str | None = Field(None, description="The first version's id (None on it).")
    parent_id: str | None = Field(None, description="The version this one was made from.")
    created_at: datetime
    updated_at: datetime
    urls: AssetUrls
    ai_results: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Structured AI results (kind, payload_json, created_at); on a single "
        "asset's view.",
    )
    last_skill_execution: dict[str, Any] | None = Field(
        None, description="The latest skill run: skill_name, trigger, times, steps."
    )


class BatchDeleteResult(BaseModel):
    requested: int
    deleted: int
    not_found_ids: list[str]
    blocked_ids: list[str] = Field(
        default_factory=list, description="Not deleted: hard references still need them."
    )


class SignedUrl(BaseModel):
    url: str
    expires_at: datetime


class TypeUsage(BaseModel):
    content_type: str
    count: int
    total_bytes: int


class Usage(BaseModel):
    total_assets: int
    total_bytes: int
    managed_assets: int = Field(description="Assets whose bytes are in managed storage.")
    managed_bytes: int
    byok_assets: int = Field(description="Assets in the owner's own buckets (connections).")
    byok_bytes: int
    stored_bytes: int = Field(description="Bytes on disk after deduplication.")
    by_content_type: list[TypeUsage]


class SkillUsage(BaseModel):
    skill_name: str
    run_count: int


class Reprocessed(BaseModel):
    processed: int
    next_cursor: str | None
    has_more: bool
    job_ids: list[str]


class UsageStats(BaseModel):
    total_assets: int
    total_bytes: int
    total_derivatives: int
    content_type_breakdown: list[TypeUsage]
    most_active_skill: SkillUsage | None = Field(
        None, description="The skill run most often (none are counted yet: null)."
    )
