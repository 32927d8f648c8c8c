"""tus appends staged in the bucket, so any API node can take an upload's next PATCH.

Each PATCH's bytes become one object, `<prefix>/tus/<upload_id>/<offset, 16 digits>`,
written when the PATCH ends (spooled on the node meanwhile; a PATCH cut off keeps what
arrived). The offset the database records is the truth: an object is keyed by the offset
its PATCH started at, so a retry at that offset replaces the attempt before it, and
assembling walks the chain from 0 (each object's size gives the next key), passing over
any attempt no accepted PATCH followed. tusd's S3 store stages through one S3 multipart
upload instead; that needs parts of 5 MiB or more, so small PATCHes would go to an
"incomplete part" object anyway, and the assembled file is read back through the node
to be hashed either way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from satchel.blobs.base import BlobWriter
from satchel.blobs.multipart import AppendSink
from satchel.blobs.s3 import READ_SIZE, S3BlobStore
from satchel.errors import Invalid


class S3Segment:
    """One PATCH's bytes on their way to the bucket (a temporary file on this node)."""

    def __init__(self, scratch: Path, upload_id: str, offset: int) -> None:
        self.upload_id, self.offset = upload_id, offset
        fd, name = tempfile.mkstemp(dir=scratch, prefix="tus-", suffix=".tmp")
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return self.file.write(data)


class S3AppendStore:
    """tus staging in the bucket (`satchel.blobs.multipart.AppendStore`)."""

    def __init__(self, store: S3BlobStore) -> None:
        self.store = store
        self.client = store.client
        self.bucket = store.bucket
        self.root = f"{store.prefix}/tus/" if store.prefix else "tus/"

    def _key(self, upload_id: str, offset: int) -> str:
        return f"{self.root}{upload_id}/{offset:016d}"

    def open_append(self, upload_id: str, *, offset: int) -> S3Segment:
        return S3Segment(self.store.scratch_dir, upload_id, offset)

    def close_append(self, sink: AppendSink, *, keep: bool = True) -> None:
        assert isinstance(sink, S3Segment)
        fh = sink
        try:
            fh.file.close()
            if keep and fh.size:
                self.client.upload_file(
                    str(fh.path), self.bucket, self._key(fh.upload_id, fh.offset)
                )
        finally:
            fh.path.unlink(missing_ok=True)

    def _segments(self, upload_id: str) -> dict[int, tuple[str, int]]:
        found: dict[int, tuple[str, int]] = {}
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=f"{self.root}{upload_id}/"):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if name.isdigit():
                    found[int(name)] = (item["Key"], int(item["Size"]))
        return found

    def assemble_appended(self, upload_id: str, *, size: int, writer: BlobWriter) -> BlobWriter:
        """The first `size` staged bytes, segment after segment, into `writer` (finished,
        not committed)."""
        try:
            segments, at = self._segments(upload_id), 0
            while at < size:
                if at not in segments:
                    raise Invalid("The staged upload is shorter than its offset.")
                key, length = segments[at]
                take = min(length, size - at)
                if take <= 0:
                    raise Invalid("The staged upload is shorter than its offset.")
                args: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
                if take < length:
                    args["Range"] = f"bytes=0-{take - 1}"
                body = self.client.get_object(**args)["Body"]
                try:
                    for chunk in body.iter_chunks(READ_SIZE):
                        writer.write(chunk)
                finally:
                    body.close()
                at += take
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        return writer

    def abort(self, upload_id: str, ref: str | None) -> None:
        keys = [key for key, _ in self._segments(upload_id).values()]
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch})  # type: ignore[typeddict-item]

    def stale(self, *, cutoff: float) -> list[tuple[str, str | None]]:
        """Uploads whose newest segment was written before `cutoff`."""
        newest: dict[str, float] = {}
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.root):
            for item in page.get("Contents", []):
                upload_id = item["Key"].removeprefix(self.root).split("/", 1)[0]
                moment = item["LastModified"].timestamp()
                newest[upload_id] = max(newest.get(upload_id, 0.0), moment)
        return [(upload_id, None) for upload_id, at in newest.items() if at < cutoff]
