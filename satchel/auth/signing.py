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


class Signer:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def sign(self, message: str, *, expires: int) -> str:
        mac = hmac.new(self._secret, f"{expires}\n{message}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()

    def mac(self, message: str) -> str:
        """A keyed digest of `message` (no expiry), e.g. a CSRF token bound to a session."""
        return self.sign(message, expires=0)

    def verify(self, message: str, *, expires: str | None, signature: str | None) -> None:
        """Raise 403 unless the signature is ours and has not expired."""
        at = ascii_int(expires)
        if at is None or not signature:
            raise Forbidden("The link's signature is missing.", code=Code.SIGNATURE_INVALID)
        expected = self.sign(message, expires=at)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise Forbidden("The link's signature is not valid.", code=Code.SIGNATURE_INVALID)
        if at < time.time():
            raise Forbidden("The link has expired.", code=Code.SIGNATURE_EXPIRED)
