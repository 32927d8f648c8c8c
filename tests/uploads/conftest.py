"""Fixtures for large uploads: a small multipart threshold so tests stay small."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from satchel.config import Settings
from tests.conftest import ADMIN_KEY, secret_for

MiB = 1 << 20
PART = 5 * MiB


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=secret_for(database_url),
        admin_api_key=ADMIN_KEY,  # type: ignore[arg-type]
        base_url="http://testserver",
        multipart_threshold_bytes=MiB,
        multipart_part_bytes=PART,
        fsync=False,
    )


def pattern(size: int, seed: int = 0) -> bytes:
    """Deterministic bytes that no sniffer mistakes for a known format (a text file)."""
    line = b"".join(
        hashlib.sha256(f"{seed}:{i}".encode()).hexdigest().encode() + b"\n" for i in range(64)
    )
    whole, rest = divmod(size, len(line))
    return line * whole + line[:rest]
