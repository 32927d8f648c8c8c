"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from satchel.codes import Code
from satchel.errors import Invalid

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the account does not exist, so a miss costs the same time as a hit.
_DUMMY = _hasher.hash("satchel-no-such-user")

MIN_LENGTH = 8
MAX_LENGTH = 1024


def check_strength(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid(
            f"A password needs {MIN_LENGTH} to {MAX_LENGTH} characters.",
            code=Code.PASSWORD_TOO_WEAK,
            fields=[{"field": "password", "message": f"at least {MIN_LENGTH} characters"}],
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
