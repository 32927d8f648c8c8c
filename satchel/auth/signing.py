"""HMAC-signed links that work without a key until they expire."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from satchel.codes import Code
from satchel.errors import Forbidden
from satchel.userjson import ascii_int


def load_secret(data_dir: Path, configured: str | None) -> bytes:
    """The configured secret, else one kept in the data folder (created once, mode 0600)."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        tmp.replace(path)
        return path.read_bytes()


def key_id(secret: bytes) -> str:
    """A short public name of a key (it reveals nothing of it), carried by signatures so
    that a rotated key's earlier links still verify."""
    return hashlib.sha256(b"satchel key id\n" + secret).hexdigest()[:8]


class Signer:
    """Signs with the current key; verifies with it or with a previous one (a rotation's
    grace period, `SATCHEL_PREVIOUS_SECRET_KEYS`). A signature reads `<key id>.<mac>`; one
    without a key id (made before key ids) is checked against every key."""

    def __init__(self, secret: bytes, previous: tuple[bytes, ...] = ()) -> None:
        self._secret = secret
        self._kid = key_id(secret)
        self._keys = {key_id(k): k for k in (*previous, secret)}

    def _mac(self, key: bytes, message: str, expires: int) -> str:
        mac = hmac.new(key, f"{expires}\n{message}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()

    def sign(self, message: str, *, expires: int) -> str:
        return f"{self._kid}.{self._mac(self._secret, message, expires)}"

    def mac(self, message: str) -> str:
        """A keyed digest of `message` (no expiry, current key only), e.g. a CSRF token
        bound to a session."""
        return self._mac(self._secret, message, 0)

    def _valid(self, message: str, at: int, signature: str) -> bool:
        kid, dot, mac = signature.partition(".")
        if dot:
            candidates = [self._keys[kid]] if kid in self._keys else []
        else:
            candidates, mac = list(self._keys.values()), kid
        given = mac.encode("utf-8", "replace")
        return any(
            hmac.compare_digest(self._mac(key, message, at).encode(), given) for key in candidates
        )

    def verify(self, message: str, *, expires: str | None, signature: str | None) -> None:
        """Raise 403 unless the signature is ours and has not expired."""
        at = ascii_int(expires)
        if at is None or not signature:
            raise Forbidden("The link's signature is missing.", code=Code.SIGNATURE_INVALID)
        if not self._valid(message, at, signature):
            raise Forbidden("The link's signature is not valid.", code=Code.SIGNATURE_INVALID)
        if at < time.time():
            raise Forbidden("The link has expired.", code=Code.SIGNATURE_EXPIRED)
