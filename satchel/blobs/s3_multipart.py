"""The S3 side of multipart uploads (`satchel.blobs.multipart.MultipartStore`)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from satchel.blobs.base import BlobWriter
from satchel.blobs.multipart import PartSink, clean_etag
from satchel.blobs.s3 import READ_SIZE, S3BlobStore, error_code, is_missing
from satchel.codes import Code
from satchel.errors import Invalid, SatchelError


class S3MultipartStore:
    """Multipart staging in the bucket (`satchel.blobs.multipart.MultipartStore`): clients
    PUT parts straight to S3 with presigned UploadPart URLs; `complete` asks S3 to
    assemble them under `<prefix>/uploads/<upload_id>` and streams that object, 1 MiB at a
    time, into the blob writer (which hashes it and places it under its address)."""

    def __init__(self, store: S3BlobStore) -> None:
        self.store = store
        self.client = store.client
        self.bucket = store.bucket
        self.root = f"{store.prefix}/uploads/" if store.prefix else "uploads/"

    def key(self, upload_id: str) -> str:
        return f"{self.root}{upload_id}"

    def start(self, upload_id: str, *, size: int, part_size: int) -> str | None:
        made = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=self.key(upload_id), ContentType="application/octet-stream"
        )
        return str(made["UploadId"])

    def part_target(
        self, upload_id: str, ref: str | None, *, number: int, expires_in: int
    ) -> str | None:
        params = {
            "Bucket": self.bucket,
            "Key": self.key(upload_id),
            "UploadId": ref,
            "PartNumber": number,
        }
        url: str = self.client.generate_presigned_url(
            "upload_part", Params=params, ExpiresIn=expires_in
        )
        return url

    def receive_part(self, upload_id: str, ref: str | None, *, number: int) -> PartSink:
        raise SatchelError("Parts of S3 multipart uploads go straight to the bucket.")

    def _received(self, upload_id: str, ref: str) -> dict[int, set[str]]:
        """The ETags received per part (SeaweedFS lists every attempt, S3 the last)."""
        found: dict[int, set[str]] = {}
        paginator = self.client.get_paginator("list_parts")
        for page in paginator.paginate(Bucket=self.bucket, Key=self.key(upload_id), UploadId=ref):
            for part in page.get("Parts", []):
                found.setdefault(int(part["PartNumber"]), set()).add(clean_etag(str(part["ETag"])))
        return found

    def _assemble(self, upload_id: str, ref: str | None, parts: list[tuple[int, str]]) -> None:
        if ref is None:
            raise Invalid("The upload has no staging in the bucket.", code=Code.UPLOAD_PART_MISSING)
        try:
            received = self._received(upload_id, ref)
        except ClientError as exc:
            if error_code(exc) == "NoSuchUpload" and self.store_has(upload_id):
                return  # assembled by an earlier attempt at completing
            raise
        for number, etag in parts:
            if number not in received:
                raise Invalid(
                    f"Part {number} has not been received.",
                    code=Code.UPLOAD_PART_MISSING,
                    fields=[{"field": f"parts.{number}", "message": "not received"}],
                )
            if clean_etag(etag) not in received[number]:
                raise Invalid(
                    f"Part {number} was received with another ETag; send the ETag its last "
                    "upload answered, or upload it again.",
                    code=Code.UPLOAD_PART_ETAG_MISMATCH,
                    fields=[{"field": f"parts.{number}", "message": "ETag differs"}],
                )
        listed = [{"PartNumber": n, "ETag": f'"{clean_etag(e)}"'} for n, e in parts]
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key(upload_id),
            UploadId=ref,
            MultipartUpload={"Parts": listed},  # type: ignore[typeddict-item]
        )

    def store_has(self, upload_id: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(upload_id))
        except ClientError as exc:
            if is_missing(exc):
                return False
            raise
        return True

    def complete(
        self,
        upload_id: str,
        ref: str | None,
        *,
        parts: list[tuple[int, str]],
        writer: BlobWriter,
    ) -> BlobWriter:
        try:
            self._assemble(upload_id, ref, parts)
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(upload_id))["Body"]
            try:
                for chunk in body.iter_chunks(READ_SIZE):
                    writer.write(chunk)
            finally:
                body.close()
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        return writer

    def abort(self, upload_id: str, ref: str | None) -> None:
        if ref is not None:
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.key(upload_id), UploadId=ref
                )
            except ClientError as exc:
                if error_code(exc) not in ("NoSuchUpload", "404"):
                    raise
        self.client.delete_object(Bucket=self.bucket, Key=self.key(upload_id))

    def stale(self, *, cutoff: float) -> list[tuple[str, str | None]]:
        """Multipart uploads begun, and assembled objects last written, before `cutoff`."""
        found: list[tuple[str, str | None]] = []
        uploads = self.client.get_paginator("list_multipart_uploads")
        for page in uploads.paginate(Bucket=self.bucket, Prefix=self.root):
            for item in page.get("Uploads", []):
                if item["Initiated"].timestamp() < cutoff:
                    found.append((item["Key"].removeprefix(self.root), str(item["UploadId"])))
        objects = self.client.get_paginator("list_objects_v2")
        for listing in objects.paginate(Bucket=self.bucket, Prefix=self.root):
            for obj in listing.get("Contents", []):
                if obj["LastModified"].timestamp() < cutoff:
                    found.append((obj["Key"].removeprefix(self.root), None))
        return found
