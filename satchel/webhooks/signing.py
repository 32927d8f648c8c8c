"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.

The secret is `whsec_` plus the base64 of 24 random bytes, as the specification shows; the
HMAC key is the decoded bytes. Receivers check the signature and refuse timestamps more
than five minutes away (`verify` does both, for our tests and for Python receivers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The signature or the timestamp does not check out."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def headers(secret: str, *, msg_id: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The three headers of one delivery attempt (each attempt is signed afresh)."""
    timestamp = int(time.time() if now is None else now)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def verify(secret: str, *, headers: dict[str, str], body: bytes, now: float | None = None) -> None:
    """Raise `SignatureError` unless one of the `v1` signatures matches and the time is near."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        msg_id, stamp = lower["webhook-id"], int(lower["webhook-timestamp"])
        sent = lower["webhook-signature"].split()
    except (KeyError, ValueError) as exc:
        raise SignatureError("missing or malformed webhook headers") from exc
    if abs((time.time() if now is None else now) - stamp) > TOLERANCE_SECONDS:
        raise SignatureError("the timestamp is too far from now")
    expected = sign(secret, msg_id=msg_id, timestamp=stamp, body=body)
    if not any(hmac.compare_digest(s, expected) for s in sent):
        raise SignatureError("no signature matches")
