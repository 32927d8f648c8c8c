"""Reading upload requests into models: form fields, JSON bodies (inline base64 or an
announcement), tus metadata, and the body of `complete`. Errors are `Invalid`, with fields."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from satchel import userjson
from satchel.api.receive import too_large
from satchel.assets.schemas import AssetFields
from satchel.codes import Code
from satchel.errors import BadRequest, Invalid
from satchel.storage import targets
from satchel.uploads.schemas import CompleteMultipart, InlineUpload, UploadIntent

MAX_INLINE_BYTES = 32 << 20  # base64 JSON bodies; larger files use a form or a PUT
MAX_COMPLETE_BODY = 4 << 20  # 10,000 parts of {part_number, etag} fit easily
_PLAIN_FIELDS = frozenset(
    {
        "description",
        "alt_text",
        "altText",
        "is_public",
        "isPublic",
        "run_enrichment",
        "runEnrichment",
        "folder",
        "is_favorite",
        "isFavorite",
        "is_archived",
        "isArchived",
        "allow_duplicates",
        "allowDuplicates",
    }
)


def form_fields(fields: dict[str, str]) -> tuple[AssetFields, bool]:
    """Form fields (or tus metadata) into the model JSON bodies use (tags: a JSON list or
    commas); returns the fields and `dedupe`."""
    data: dict[str, Any] = {}
    try:
        for key, value in fields.items():
            if key == "tags":
                text = value.strip()
                data[key] = (
                    userjson.loads(text, field=key)
                    if text.startswith("[")
                    else [t for t in text.split(",") if t.strip()]
                )
            elif key == "attributes":
                data[key] = userjson.loads(value, field=key) if value.strip() else {}
            elif key in _PLAIN_FIELDS:
                data[key] = value
    except json.JSONDecodeError as exc:
        raise Invalid(
            f"The form field {key!r} is not valid JSON: {exc.msg}.",
            fields=[{"field": key, "message": "not valid JSON"}],
        ) from exc
    dedupe = fields.get("dedupe", "true").strip().lower() not in ("false", "0", "no")
    return AssetFields.model_validate(data), dedupe


def validation_failed(exc: ValidationError) -> Invalid:
    return Invalid(
        "The request is not valid.",
        fields=[
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "code": e["type"]}
            for e in exc.errors()
        ],
    )


async def read_json(request: Request, *, limit: int) -> Any:
    """The whole JSON body, refused once it passes `limit` bytes."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise too_large(limit)
    try:
        return userjson.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest("The body is not valid JSON.") from exc


@dataclass(frozen=True)
class JsonUpload:
    """A JSON `POST /assets`: the bytes inline, or an announcement of bytes to follow."""

    inline: InlineUpload | None
    intent: UploadIntent | None
    connection_id: str | None  # the storage connection named, if any (not yet checked)
    multipart: bool | None  # forced on or off; None: the size decides
    sha256: str | None  # multipart: the SHA-256 the assembled bytes must have


def json_upload(payload: Any) -> JsonUpload:
    if not isinstance(payload, dict):
        raise Invalid("The body must be a JSON object.")
    inline = "content_base64" in payload or "contentBase64" in payload
    connection_id = targets.pop_target(payload)
    sha256 = None if inline else payload.pop("sha256", None)
    mode = None if inline else payload.pop("multipart", None)
    if mode is not None and not isinstance(mode, bool):
        raise Invalid(
            "multipart must be true or false.",
            fields=[{"field": "multipart", "message": "a boolean"}],
        )
    if sha256 is not None and not (
        isinstance(sha256, str) and re.fullmatch(r"[0-9a-fA-F]{64}", sha256)
    ):
        raise Invalid(
            "sha256 must be 64 hexadecimal digits.",
            fields=[{"field": "sha256", "message": "64 hexadecimal digits"}],
        )
    try:
        if inline:
            return JsonUpload(InlineUpload.model_validate(payload), None, connection_id, None, None)
        intent = UploadIntent.model_validate(payload)
    except ValidationError as exc:
        raise validation_failed(exc) from exc
    return JsonUpload(None, intent, connection_id, mode, sha256.lower() if sha256 else None)


def inline_bytes(model: InlineUpload, *, limit: int) -> bytes:
    try:
        data = base64.b64decode(model.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid(
            "content_base64 is not valid base64.",
            fields=[{"field": "content_base64", "message": "not valid base64"}],
        ) from exc
    if len(data) > limit:
        raise too_large(limit)
    return data


async def complete_body(request: Request) -> CompleteMultipart | None:
    """The multipart completion in the body, or None for a single PUT (empty body)."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_COMPLETE_BODY:
            raise Invalid("The completion body is too large.", code=Code.REQUEST_TOO_LARGE)
    if not raw.strip():
        return None
    try:
        payload = userjson.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    if payload == {}:
        return None
    if not isinstance(payload, dict):
        raise Invalid("The body must be a JSON object.")
    try:
        return CompleteMultipart.model_validate(payload)
    except ValidationError as exc:
        raise Invalid(
            "The completion is not valid.",
            fields=[
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ],
        ) from exc
