"""`satchel user create` and `satchel user reset-password` on the local database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SATCHEL = [sys.executable, "-m", "satchel.cli"]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATCHEL_DATA_DIR": str(tmp_path / "data")}
    env.pop("SATCHEL_ADMIN_API_KEY", None)
    return subprocess.run([*SATCHEL, *args], env=env, capture_output=True, text=True, check=False)


def test_create_and_reset(tmp_path: Path) -> None:
    made = run(
        tmp_path, "user", "create", "zoe", "--password", "a long password", "--role", "admin"
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Created zoe" in made.stdout
    again = run(tmp_path, "user", "create", "zoe", "--password", "a long password")
    assert again.returncode == 1 and "user_exists" in again.stdout
    weak = run(tmp_path, "user", "create", "yan", "--password", "short")
    assert weak.returncode == 1 and "password_too_weak" in weak.stdout
    reset = run(tmp_path, "user", "reset-password", "admin", "--password", "admin password 1")
    assert reset.returncode == 0 and "Password of admin set" in reset.stdout
    missing = run(tmp_path, "user", "reset-password", "nobody", "--password", "whatever12")
    assert missing.returncode == 1 and "no user" in missing.stdout
