"""The data folder's keys in a backup, sealed with a passphrase (scrypt, AES-256-GCM)."""

from __future__ import annotations

import json
import secrets
from base64 import b64decode, b64encode
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from satchel.codes import Code
from satchel.errors import Invalid

# The files in the data folder that hold keys: URL signing, and the credential box that
# seals storage connections' and webhooks' secrets.
KEY_FILES = ("secret.key", "storage.key")
_N, _R, _P = 2**15, 8, 1


def _aead(passphrase: str, salt: bytes) -> AESGCM:
    return AESGCM(Scrypt(salt=salt, length=32, n=_N, r=_R, p=_P).derive(passphrase.encode()))


def seal(data_dir: Path, passphrase: str) -> bytes | None:
    """The key files present, sealed; None when there are none."""
    found = {
        n: b64encode((data_dir / n).read_bytes()).decode()
        for n in KEY_FILES
        if (data_dir / n).is_file()
    }
    if not found:
        return None
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = _aead(passphrase, salt).encrypt(nonce, json.dumps(found).encode(), b"satchel keys")
    envelope = {
        "kdf": "scrypt",
        "n": _N,
        "r": _R,
        "p": _P,
        "salt": b64encode(salt).decode(),
        "nonce": b64encode(nonce).decode(),
        "sealed": b64encode(sealed).decode(),
    }
    return json.dumps(envelope).encode()


def open_keys(blob: bytes, passphrase: str) -> dict[str, bytes]:
    """The key files by name; `422 backup_keys_wrong_phrase` when the passphrase does not fit."""
    envelope = json.loads(blob)
    try:
        plain = _aead(passphrase, b64decode(envelope["salt"])).decrypt(
            b64decode(envelope["nonce"]), b64decode(envelope["sealed"]), b"satchel keys"
        )
    except InvalidTag:
        raise Invalid(
            "The passphrase does not open the backup's keys.", code=Code.BACKUP_KEYS_WRONG_PHRASE
        ) from None
    return {name: b64decode(value) for name, value in json.loads(plain).items()}
