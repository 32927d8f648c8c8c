"""What `POST /assets` does with each kind of body: a form or inline base64 is ingested at
once; a JSON announcement reserves an upload, a single PUT or a multipart one by size."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from satchel.api.receive import ReceivedForm
from satchel.assets import service as assets
from satchel.blobs import BlobWriter
from satchel.codes import Code
from satchel.errors import Invalid
from satchel.storage import targets
from satchel.uploads import multipart, service
from satchel.uploads.ingest import Ingested, Intent, ingest
from satchel.uploads.models import Upload, UploadProtocol
from satchel.uploads.parsing import JsonUpload, form_fields, inline_bytes, validation_failed
from satchel.uploads.schemas import InlineUpload

if TYPE_CHECKING:
    from satchel.runtime import Runtime


def from_form(
    *, runtime: Runtime, owner_id: str, writer: BlobWriter, form: ReceivedForm, dedupe: bool
) -> Ingested:
    """A multipart form whose `file` part was streamed into `writer` (managed storage)."""
    try:
        if not form.has_file:
            raise Invalid(
                "The form has no `file` part.",
                code=Code.ASSET_FILE_REQUIRED,
                fields=[{"field": "file", "message": "required"}],
            )
        location = targets.resolve_target(
            db=runtime.db, owner_id=owner_id, connection_id=targets.pop_target(form.fields)
        )
        try:
            fields, form_dedupe = form_fields(form.fields)
        except ValidationError as exc:
            raise validation_failed(exc) from exc
        assets.check_fields(fields, max_chars=runtime.settings.max_description_chars)
        if location is not None:
            writer = targets.retarget(runtime.blobs, writer, location)
    except BaseException:
        writer.abort()
        raise
    intent = Intent(
        owner_id=owner_id,
        filename=form.fields.get("filename") or form.filename,
        declared_type=form.content_type,
        fields=fields,
        dedupe=dedupe and form_dedupe,
        location=location,
    )
    return ingest(
        db=runtime.db, blobs=runtime.blobs, limits=runtime.limits, writer=writer, intent=intent
    )


def from_inline(
    *, runtime: Runtime, owner_id: str, body: InlineUpload, connection_id: str | None, dedupe: bool
) -> Ingested:
    """Bytes inside the JSON body, base64-encoded."""
    location = targets.resolve_target(db=runtime.db, owner_id=owner_id, connection_id=connection_id)
    assets.check_fields(body, max_chars=runtime.settings.max_description_chars)
    data = inline_bytes(body, limit=runtime.settings.max_upload_bytes)
    writer = runtime.blobs.writer(location)
    try:
        writer.write(data)
    except BaseException:
        writer.abort()
        raise
    intent = Intent(
        owner_id=owner_id,
        filename=body.file_name,
        declared_type=body.media_type,
        fields=body,
        dedupe=dedupe and body.dedupe,
        location=location,
        mode="inline",
    )
    return ingest(
        db=runtime.db, blobs=runtime.blobs, limits=runtime.limits, writer=writer, intent=intent
    )


def announce(*, runtime: Runtime, owner_id: str, body: JsonUpload, dedupe: bool) -> Upload:
    """Reserve the upload an intent announces: multipart above the threshold (or when
    asked), else one signed PUT."""
    intent = body.intent
    assert intent is not None
    settings = runtime.settings
    location = targets.resolve_target(
        db=runtime.db, owner_id=owner_id, connection_id=body.connection_id
    )
    assets.check_fields(intent, max_chars=settings.max_description_chars)
    if (
        body.multipart
        if body.multipart is not None
        else intent.size > settings.multipart_threshold_bytes
    ):
        if location is not None:
            raise Invalid(
                "Multipart uploads to a storage connection are not supported yet; "
                "send the file by form or single PUT.",
                code=Code.STORAGE_CONNECTION_UNSUPPORTED,
            )
        return multipart.start(
            runtime=runtime,
            owner_id=owner_id,
            filename=intent.filename,
            declared_type=intent.content_type,
            size=intent.size,
            fields=intent,
            dedupe=dedupe and intent.dedupe,
            sha256=body.sha256,
        )
    return service.announce(
        db=runtime.db,
        limits=runtime.limits,
        owner_id=owner_id,
        protocol=UploadProtocol.PUT,
        filename=intent.filename,
        declared_type=intent.content_type,
        size=intent.size,
        fields=intent,
        dedupe=dedupe and intent.dedupe,
        max_bytes=settings.max_upload_bytes,
        ttl_seconds=settings.upload_url_seconds,
        location=location,
    )
