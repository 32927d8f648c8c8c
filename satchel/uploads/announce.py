"""The multipart branch of `POST /assets` and of `POST /assets/{id}/complete`."""

from __future__ import annotations

import json
import re

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.responses import Response

from satchel.api.envelope import envelope
from satchel.assets.schemas import UploadIntent
from satchel.assets.views import base_url, to_out
from satchel.errors import BadRequest, Invalid
from satchel.runtime import Runtime
from satchel.uploads import multipart
from satchel.uploads.schemas import CompleteMultipart, MultipartDescriptor, PendingMultipart

MAX_COMPLETE_BODY = 4 << 20  # 10,000 parts of {part_number, etag} fit easily


async def multipart_created(
    request: Request,
    runtime: Runtime,
    owner_id: str,
    intent: UploadIntent,
    dedupe: bool,
    sha256: object,
) -> Response:
    """201: the pending asset and how to send its parts."""
    if sha256 is not None and not (
        isinstance(sha256, str) and re.fullmatch(r"[0-9a-fA-F]{64}", sha256)
    ):
        raise Invalid(
            "sha256 must be 64 hexadecimal digits.",
            fields=[{"field": "sha256", "message": "64 hexadecimal digits"}],
        )
    asset, upload = await run_in_threadpool(
        lambda: multipart.start(
            runtime,
            owner_id=owner_id,
            filename=intent.filename,
            declared_type=intent.content_type,
            size=intent.size,
            fields=intent,
            dedupe=dedupe and intent.dedupe,
            sha256=sha256.lower() if isinstance(sha256, str) else None,
        )
    )
    base = base_url(request, runtime)
    assert upload.part_size is not None and upload.part_count is not None
    root = f"{base}/api/v1/assets/{asset.id}"
    out = PendingMultipart(
        **to_out(asset, base, runtime).model_dump(),
        upload=MultipartDescriptor(
            upload_id=upload.id,
            part_size=upload.part_size,
            part_count=upload.part_count,
            expires_at=upload.expires_at,
            parts_url=f"{root}/parts",
            complete_url=f"{root}/complete",
            abort_url=f"{root}/abort",
        ),
    )
    return Response(envelope(out).model_dump_json(), status_code=201, media_type="application/json")


async def complete_body(request: Request) -> CompleteMultipart | None:
    """The multipart completion in the body, or None for a single PUT (empty body)."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_COMPLETE_BODY:
            raise Invalid("The completion body is too large.", code="request_too_large")
    if not raw.strip():
        return None
    try:
        payload = json.loads(raw)
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
