"""Blobs in an S3-compatible bucket: `<prefix>/blobs/ab/abcd…` by SHA-256.

Writes go to a local temporary file first (hashed as the bytes arrive, exactly like the
local writer), and `commit` uploads that file under its content address with boto3's
managed multipart transfer. Why a local file rather than streaming parts to a temporary
key and copying: the address (the SHA-256) is known only after the last byte, media
sniffing needs a local file anyway (`temp_path`), an aborted upload leaves nothing in the
bucket to clean up, and the upload's memory is bounded by the transfer configuration
(`_TRANSFER`: 4 threads × 16 MiB parts), whatever the size of the file. A 5 GiB upload
needs 5 GiB of local scratch space for the time of the upload, and ~70 MiB of memory.

Locks are per host (a thread lock plus `flock` on a file in the scratch folder, as for
the local store): API and worker processes on one machine are serialized, several
machines sharing a bucket are not. Between hosts the ordering rules still hold (bytes
placed before rows, rows removed before bytes, GC's grace period); what is not excluded is
a delete on one host racing an identical upload on another within the same second, which
can leave a row without bytes (`scrub` reports it, re-uploading heals it).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from satchel.blobs.base import BlobEntry, BlobInfo, HashingTempFile, check_file_sha256
from satchel.errors import InsufficientStorage, SatchelError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from satchel.blobs.s3_appends import S3AppendStore
    from satchel.blobs.s3_multipart import S3MultipartStore
    from satchel.blobs.s3_shared import S3SharedFiles

MiB = 1 << 20
READ_SIZE = MiB
_TRANSFER = TransferConfig(
    multipart_threshold=8 * MiB,
    multipart_chunksize=8 * MiB,
    max_concurrency=4,
    io_chunksize=MiB,
)


@dataclass(frozen=True)
class S3Location:
    """Where and how to reach a bucket (credentials stay out of `repr`)."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None

    def __repr__(self) -> str:
        return f"S3Location(bucket={self.bucket!r}, prefix={self.prefix!r})"


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` → ("bucket", "some/prefix")."""
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url!r}")
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {url!r}")
    return bucket, prefix.strip("/")


_SESSION_LOCK = threading.Lock()
_SESSIONS: list[boto3.session.Session] = []


def _session() -> boto3.session.Session:
    if not _SESSIONS:
        _SESSIONS.append(boto3.session.Session())
    return _SESSIONS[0]


def make_client(location: S3Location, *, timeout: float = 60.0, retries: int = 4) -> S3Client:
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        connect_timeout=min(timeout, 10.0),
        read_timeout=timeout,
        retries={"max_attempts": retries, "mode": "standard"},
        max_pool_connections=16,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    # One boto3 session for the process: clients made from it share its loaded service
    # models (a fresh session per client costs ~10 MB and a tenth of a second each).
    with _SESSION_LOCK:
        client: S3Client = _session().client(
            "s3",
            endpoint_url=location.endpoint_url or None,
            region_name=location.region or "us-east-1",
            aws_access_key_id=location.access_key_id or None,
            aws_secret_access_key=location.secret_access_key or None,
            config=config,
        )
    return client


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_missing(exc: ClientError) -> bool:
    return error_code(exc) in ("404", "NoSuchKey", "NotFound")


class S3Writer(HashingTempFile):
    """Hashes while writing to a local temporary file; `commit` uploads it to its address."""

    def __init__(self, store: S3BlobStore) -> None:
        self._store = store
        super().__init__(*tempfile.mkstemp(dir=store.scratch_dir, prefix="s3put-", suffix=".tmp"))

    def _storage_error(self, exc: OSError) -> Exception:
        return InsufficientStorage("The server's scratch space is full; nothing was stored.")

    def finish(self) -> BlobInfo:
        if self._info is None:
            self._file.close()
            self._info = self._digests.finish()
        return self._info

    def commit(self) -> BlobInfo:
        info = self.finish()
        try:
            self._store.upload_file(self._tmp, info)
        except BaseException:
            self.abort()
            raise
        self._tmp.unlink(missing_ok=True)
        return info


class S3BlobStore:
    """Content-addressed blobs in one bucket (under an optional key prefix)."""

    def __init__(
        self,
        location: S3Location,
        *,
        scratch_dir: Path,
        lock_dir: Path | None = None,
        presign: bool = True,
        client: S3Client | None = None,
    ) -> None:
        self.location = location
        self.bucket = location.bucket
        self.prefix = location.prefix.strip("/")
        self.scratch_dir = scratch_dir
        self.lock_dir = lock_dir or scratch_dir.parent / "locks"
        self.presign = presign
        for folder in (self.scratch_dir, self.lock_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.client: S3Client = client or make_client(location)
        self._thread_locks = [threading.Lock() for _ in range(256)]

    def __repr__(self) -> str:
        return f"S3BlobStore({self.bucket!r}, prefix={self.prefix!r})"

    @property
    def blob_prefix(self) -> str:
        return f"{self.prefix}/blobs/" if self.prefix else "blobs/"

    def key_of(self, sha256: str) -> str:
        return f"{self.blob_prefix}{sha256[:2]}/{sha256}"

    def writer(self, location: str | None = None) -> S3Writer:
        if location is not None:
            raise ValueError("a single store has no other locations")
        return S3Writer(self)

    def at(self, location: str | None) -> S3BlobStore:
        if location is not None:
            raise ValueError("a single store has no other locations")
        return self

    def upload_file(self, path: Path, info: BlobInfo) -> None:
        extra: dict[str, Any] = {
            "ContentType": "application/octet-stream",
            "Metadata": {"sha256": info.sha256},
        }
        try:
            self.client.upload_file(
                str(path), self.bucket, self.key_of(info.sha256), ExtraArgs=extra, Config=_TRANSFER
            )
        except Exception as exc:
            raise SatchelError(
                "The object storage refused the upload; nothing was stored."
            ) from exc

    @contextmanager
    def lock(self, sha256: str) -> Iterator[None]:
        stripe = int(sha256[:2], 16)
        with self._thread_locks[stripe]:
            fd = os.open(self.lock_dir / f"{sha256[:2]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def size_of(self, sha256: str) -> int | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key_of(sha256))
        except ClientError as exc:
            if is_missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        if end is not None and end <= start:
            return
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key_of(sha256)}
        if start or end is not None:
            args["Range"] = f"bytes={start}-" + ("" if end is None else str(end - 1))
        try:
            body = self.client.get_object(**args)["Body"]
        except ClientError as exc:
            if error_code(exc) == "InvalidRange":
                return
            if is_missing(exc):
                raise FileNotFoundError(self.key_of(sha256)) from exc
            raise
        try:
            yield from body.iter_chunks(READ_SIZE)
        finally:
            body.close()

    def delete(self, sha256: str, location: str | None = None) -> None:
        if location is not None:
            raise ValueError("a single store has no other locations")
        self.client.delete_object(Bucket=self.bucket, Key=self.key_of(sha256))

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        fd, name = tempfile.mkstemp(dir=self.scratch_dir, prefix="s3get-", suffix=".tmp")
        os.close(fd)
        path = Path(name)
        try:
            self.client.download_file(self.bucket, self.key_of(sha256), name, Config=_TRANSFER)
            check_file_sha256(path, sha256)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def presign_get(
        self, sha256: str, *, expires_in: int, filename: str, media_type: str, attachment: bool
    ) -> str | None:
        if not self.presign:
            return None
        kind = "attachment" if attachment else "inline"
        params = {
            "Bucket": self.bucket,
            "Key": self.key_of(sha256),
            "ResponseContentType": media_type,
            "ResponseContentDisposition": f"{kind}; filename*=UTF-8''{quote(filename)}",
        }
        url: str = self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_in
        )
        return url

    def multipart_store(self) -> S3MultipartStore:
        from satchel.blobs.s3_multipart import S3MultipartStore

        return S3MultipartStore(self)

    def append_store(self) -> S3AppendStore:
        from satchel.blobs.s3_appends import S3AppendStore

        return S3AppendStore(self)

    def shared_files(self) -> S3SharedFiles:
        from satchel.blobs.s3_shared import S3SharedFiles

        return S3SharedFiles(self)

    def iter_blobs(self, *, page_size: int = 1000) -> Iterator[BlobEntry]:
        """Every stored blob, page by page (`page_size` keys a request)."""
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket,
            Prefix=self.blob_prefix,
            PaginationConfig={"PageSize": page_size},
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                modified: datetime = item["LastModified"]
                yield BlobEntry(name, int(item["Size"]), modified.timestamp())
