"""Satchel refuses to start with a configured key or secret that is easy to guess
(issue 14 #18): a clear message that starts with the stable code `weak_secret`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from satchel.auth.models import ApiKey
from satchel.config import ConfigurationError, Settings
from satchel.runtime import start
from tests.conftest import ADMIN_KEY

WEAK = [
    ("admin_api_key", "sat_admin", "9 characters; at least 32"),
    ("admin_api_key", "sat_" + "0" * 40, "bits"),
    ("admin_api_key", "abcd" * 10, "repeats 'abcd'"),
    ("secret_key", "change-me-to-64-hex-characters-from-secrets-token-hex-32", "placeholder"),
    ("secret_key", "password-password-password-123456", "placeholder 'password'"),
    ("metrics_token", "scrape-me", "9 characters"),
]


@pytest.mark.parametrize(("field", "value", "why"), WEAK)
def test_weak_keys_and_secrets_are_refused_at_start(
    tmp_path: Path, field: str, value: str, why: str
) -> None:
    settings = Settings(data_dir=tmp_path / "data", **{field: value})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as refused:
        start(settings)
    assert refused.value.error_code == "weak_secret"
    message = str(refused.value)
    name = f"SATCHEL_{field.upper()}"
    assert message.startswith(f"weak_secret: {name} is too weak") and why in message
    assert value not in message  # the secret itself is never printed
    assert not (tmp_path / "data").exists()  # refused before anything is written


def test_strong_keys_start(tmp_path: Path) -> None:
    key, secret = "sat_" + secrets.token_urlsafe(32), secrets.token_hex(32)
    runtime = start(
        Settings(data_dir=tmp_path / "data", admin_api_key=key, secret_key=secret)  # type: ignore[arg-type]
    )
    try:
        with runtime.db.session() as session:
            assert session.scalars(select(ApiKey).where(ApiKey.prefix == key[:10])).first()
    finally:
        runtime.close()
    start(Settings(data_dir=tmp_path / "other", admin_api_key=ADMIN_KEY)).close()  # type: ignore[arg-type]


def test_serve_says_why_and_exits(tmp_path: Path) -> None:
    env = {**os.environ, "SATCHEL_DATA_DIR": str(tmp_path), "SATCHEL_ADMIN_API_KEY": "admin"}
    done = subprocess.run(
        [sys.executable, "-m", "satchel.cli", "serve", "--no-worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "weak_secret: SATCHEL_ADMIN_API_KEY is too weak" in done.stderr
    assert "Traceback" not in done.stderr
