"""Request and response shapes of uploads: inline, announced (single PUT or multipart), tus."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field

from satchel.assets.schemas import AssetFields, AssetOut, Request


class InlineUpload(AssetFields):
    """An upload whose bytes travel inside the JSON body, base64-encoded."""

    file_name: str = Field(validation_alias=AliasChoices("file_name", "fileName", "filename"))
    media_type: str | None = Field(
        None, validation_alias=AliasChoices("media_type", "mediaType", "content_type")
    )
    content_base64: str = Field(validation_alias=AliasChoices("content_base64", "contentBase64"))
    dedupe: bool = True


class UploadIntent(AssetFields):
    """Announces an upload whose bytes follow in one signed PUT (or in parts, when large)."""

    filename: str = Field(validation_alias=AliasChoices("filename", "file_name", "fileName"))
    content_type: str | None = Field(
        None, validation_alias=AliasChoices("content_type", "contentType", "media_type")
    )
    size: int = Field(ge=0)
    dedupe: bool = True


class UploadDescriptor(BaseModel):
    method: Literal["PUT"] = "PUT"
    url: str
    headers: dict[str, str]
    expires_at: datetime
    complete_url: str


class PendingAsset(AssetOut):
    upload: UploadDescriptor


class MultipartDescriptor(BaseModel):
    mode: Literal["multipart"] = "multipart"
    upload_id: str
    part_size: int
    part_count: int
    expires_at: datetime
    parts_url: str
    complete_url: str
    abort_url: str


class PendingMultipart(AssetOut):
    upload: MultipartDescriptor


class PartRequest(Request):
    upload_id: str
    part_number: int = Field(ge=1, le=10_000)


class PartUrlOut(BaseModel):
    part_number: int
    method: Literal["PUT"] = "PUT"
    url: str
    headers: dict[str, str]
    size: int = Field(description="The exact number of bytes this part must have.")
    expires_at: datetime


class PartOut(BaseModel):
    part_number: int
    etag: str
    size: int


class CompletedPart(Request):
    part_number: int = Field(
        validation_alias=AliasChoices("part_number", "partNumber", "PartNumber")
    )
    etag: str = Field(validation_alias=AliasChoices("etag", "ETag", "e_tag"))


class CompleteMultipart(Request):
    upload_id: str
    parts: list[CompletedPart] = Field(max_length=10_000)
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")


class AbortMultipart(Request):
    upload_id: str


class Aborted(BaseModel):
    upload_id: str
    aborted: bool = True


class TusUploadOut(BaseModel):
    id: str
    offset: int
    length: int
    state: str
    asset_id: str | None = Field(None, description="The asset it became, once complete.")
    expires_at: datetime
    metadata: dict[str, str]
    busy: bool = Field(description="A PATCH is in progress; the offset may still move.")
