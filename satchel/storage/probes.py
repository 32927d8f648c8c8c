"""Probing a bucket with given credentials: HEAD, LIST, PUT and DELETE, each reported.

Every probe is attempted whatever the others answered (a read-only key shows HEAD and
LIST passing and PUT and DELETE refused), except that PUT and DELETE are not tried on a
bucket HEAD or LIST found missing. Reasons are ours (from the S3 error code); the
storage's own messages are not passed on and credentials never appear in a report.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from satchel.blobs.s3 import S3Location, error_code
from satchel.storage.egress import Egress, guarded_client

_BAD_KEY = {
    "InvalidAccessKeyId": "invalid_access_key",
    "InvalidClientTokenId": "invalid_access_key",
}
_BAD_SECRET = {"SignatureDoesNotMatch": "invalid_secret_key"}


@dataclass(frozen=True)
class Probe:
    name: str  # head | list | put | delete
    ok: bool
    code: str | None = None  # why it failed: invalid_access_key, bucket_not_found, …
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def explain(exc: Exception, action: str) -> tuple[str, str]:
    """A stable code and a clear sentence for a failed request."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in _BAD_KEY:
            return _BAD_KEY[code], "The access key id is not known to the storage (bad keys)."
        if code in _BAD_SECRET:
            return _BAD_SECRET[code], "The secret access key does not match the access key id."
        if code in ("NoSuchBucket", "404", "NotFound"):
            return "bucket_not_found", "The bucket does not exist."
        if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
            return "access_denied", f"The credentials have no permission to {action}."
        if code in ("PermanentRedirect", "301", "AuthorizationHeaderMalformed"):
            return "wrong_region", "The bucket is in another region; set the region."
        return "storage_error", f"The storage refused to {action} (error {code or 'unknown'})."
    if isinstance(exc, EndpointConnectionError):
        return "endpoint_unreachable", "The storage endpoint cannot be reached."
    if isinstance(exc, BotoCoreError):
        return "storage_error", f"The request to {action} failed ({type(exc).__name__})."
    return "storage_error", f"The request to {action} failed."


def _attempt(name: str, action: str, call: Callable[[], object]) -> Probe:
    try:
        call()
    except (ClientError, BotoCoreError) as exc:
        code, reason = explain(exc, action)
        return Probe(name, False, code, reason)
    return Probe(name, True)


def run_probes(location: S3Location, egress: Egress) -> list[Probe]:
    """HEAD the bucket, LIST under the prefix, PUT then DELETE a small probe object
    (an endpoint that is not allowed is refused before any request)."""
    client = guarded_client(location, egress, timeout=10.0, retries=1)
    bucket = location.bucket
    prefix = f"{location.prefix.strip('/')}/" if location.prefix.strip("/") else ""
    key = f"{prefix}.satchel-probe-{secrets.token_hex(8)}"
    head = _attempt("head", "see the bucket", lambda: client.head_bucket(Bucket=bucket))
    listed = _attempt(
        "list",
        "list the bucket",
        lambda: client.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1),
    )
    if "bucket_not_found" in (head.code, listed.code):
        # Some servers make a missing bucket on the first PUT: a probe must not.
        reason = "Not attempted: the bucket does not exist."
        return [
            head,
            listed,
            Probe("put", False, "bucket_not_found", reason),
            Probe("delete", False, "bucket_not_found", reason),
        ]
    return [
        head,
        listed,
        _attempt(
            "put",
            "write to the bucket",
            lambda: client.put_object(Bucket=bucket, Key=key, Body=b"satchel storage probe"),
        ),
        _attempt(
            "delete", "delete from the bucket", lambda: client.delete_object(Bucket=bucket, Key=key)
        ),
    ]
