"""Encrypting storage credentials at rest (AES-256-GCM).

The key is derived (HKDF-SHA256) from `SATCHEL_SECRET_KEY` when it is set, else from a
random key kept in the data folder (`storage.key`, mode 0600, made once). Each value gets
a fresh 96-bit nonce; the connection id is bound as associated data, so a ciphertext
copied onto another row does not decrypt.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from satchel.codes import Code
from satchel.errors import SatchelError

_VERSION = b"\x01"


def _key_file(data_dir: Path) -> bytes:
    path = data_dir / "storage.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        tmp.replace(path)
        return path.read_bytes()


class CredentialBox:
    """Seals and opens the credentials of storage connections."""

    def __init__(self, *, data_dir: Path, secret_key: str | None) -> None:
        material = secret_key.encode() if secret_key else _key_file(data_dir)
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"satchel storage credentials"
        ).derive(material)
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "CredentialBox(<sealed>)"

    def seal(self, values: dict[str, str], *, bound_to: str) -> bytes:
        nonce = secrets.token_bytes(12)
        plain = json.dumps(values).encode()
        return _VERSION + nonce + self._aead.encrypt(nonce, plain, bound_to.encode())

    def open(self, sealed: bytes, *, bound_to: str) -> dict[str, str]:
        if not sealed.startswith(_VERSION):
            raise SatchelError("The stored credentials are in an unknown format.")
        nonce, body = sealed[1:13], sealed[13:]
        try:
            plain = self._aead.decrypt(nonce, body, bound_to.encode())
        except InvalidTag as exc:
            raise SatchelError(
                "The stored credentials cannot be decrypted (was the secret key changed?).",
                code=Code.STORAGE_CREDENTIALS_UNREADABLE,
            ) from exc
        values: dict[str, str] = json.loads(plain)
        return values


def mask_access_key(access_key_id: str) -> str:
    """`AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`; short ids show only their last two characters."""
    if len(access_key_id) >= 12:
        return f"{access_key_id[:4]}…{access_key_id[-4:]}"
    return "…" + access_key_id[-2:] if len(access_key_id) > 4 else "…"
