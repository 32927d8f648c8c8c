"""Encrypting storage credentials at rest (AES-256-GCM).

The key is derived (HKDF-SHA256) from `SATCHEL_SEALING_KEY`, else `SATCHEL_SECRET_KEY`,
else a random key kept in the data folder (`storage.key`, mode 0600, made once). Each value
gets a fresh 96-bit nonce; the connection id is bound as associated data, so a ciphertext
copied onto another row does not decrypt. A sealed value names the key it was sealed with
(a key id), so after a rotation the keys used before (`SATCHEL_PREVIOUS_SECRET_KEYS`, the
secret key once a separate sealing key is set, the data folder's key file) still open it.
"""

from __future__ import annotations

import hashlib
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

_LEGACY = b"\x01"  # no key id: every key is tried
_VERSION = b"\x02"  # then a 4-byte key id


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


def _derive(material: bytes) -> tuple[bytes, AESGCM]:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"satchel storage credentials"
    ).derive(material)
    return hashlib.sha256(b"satchel sealing key id\n" + key).digest()[:4], AESGCM(key)


class CredentialBox:
    """Seals and opens the credentials of storage connections."""

    def __init__(
        self,
        *,
        data_dir: Path,
        secret_key: str | None,
        sealing_key: str | None = None,
        previous: tuple[str, ...] = (),
    ) -> None:
        current = sealing_key or secret_key
        material = current.encode() if current else _key_file(data_dir)
        older = [k.encode() for k in (secret_key, *previous) if k and k != current]
        stored = data_dir / "storage.key"
        if current and stored.is_file():  # sealed before a key was configured
            older.append(stored.read_bytes())
        self._kid, self._aead = _derive(material)
        self._keys = dict(_derive(m) for m in reversed(older))
        self._keys[self._kid] = self._aead

    def __repr__(self) -> str:
        return "CredentialBox(<sealed>)"

    def seal(self, values: dict[str, str], *, bound_to: str) -> bytes:
        nonce = secrets.token_bytes(12)
        plain = json.dumps(values).encode()
        body = self._aead.encrypt(nonce, plain, bound_to.encode())
        return _VERSION + self._kid + nonce + body

    def open(self, sealed: bytes, *, bound_to: str) -> dict[str, str]:
        if sealed.startswith(_VERSION):
            found = self._keys.get(sealed[1:5])
            candidates = [found] if found is not None else []
            nonce, body = sealed[5:17], sealed[17:]
        elif sealed.startswith(_LEGACY):
            candidates = list(self._keys.values())
            nonce, body = sealed[1:13], sealed[13:]
        else:
            raise SatchelError("The stored credentials are in an unknown format.")
        for aead in candidates:
            try:
                plain = aead.decrypt(nonce, body, bound_to.encode())
            except InvalidTag:
                continue
            values: dict[str, str] = json.loads(plain)
            return values
        raise SatchelError(
            "The stored credentials cannot be decrypted (was the secret key changed? keep "
            "the old one in SATCHEL_PREVIOUS_SECRET_KEYS).",
            code=Code.STORAGE_CREDENTIALS_UNREADABLE,
        )


def mask_access_key(access_key_id: str) -> str:
    """`AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`; short ids show only their last two characters."""
    if len(access_key_id) >= 12:
        return f"{access_key_id[:4]}…{access_key_id[-4:]}"
    return "…" + access_key_id[-2:] if len(access_key_id) > 4 else "…"
