"""`satchel user create` and `satchel user reset-password` on the local database."""

from __future__ import annotations

import json
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


def _authenticates(tmp_path: Path, key: str) -> str:
    """What the server would answer this key: "ok" or the reason it is refused."""
    from satchel.auth.service import authenticate
    from satchel.config import Settings
    from satchel.errors import SatchelError
    from satchel.runtime import start

    runtime = start(Settings(data_dir=tmp_path / "data"))
    try:
        with runtime.db.session() as session:
            authenticate(session, token=key)
        return "ok"
    except SatchelError as exc:
        return exc.message
    finally:
        runtime.close()


def test_list_mint_disable_enable_delete(tmp_path: Path) -> None:
    first = run(tmp_path, "migrate")
    assert first.returncode == 0, first.stdout + first.stderr
    # The first start's key is said last, with whose it is and what to do next.
    tail = first.stdout.strip().splitlines()[-8:]
    assert any("admin" in line and "shown only this once" in line for line in tail)
    assert any("user mint-key admin" in line for line in tail)
    made = run(tmp_path, "user", "create", "ivy", "--password", "a long password")
    assert made.returncode == 0, made.stdout + made.stderr
    minted = run(tmp_path, "user", "mint-key", "ivy", "--scope", "read", "--json")
    assert minted.returncode == 0, minted.stdout + minted.stderr
    key = json.loads(minted.stdout)["key"]
    assert key.startswith("sat_") and _authenticates(tmp_path, key) == "ok"
    listed = json.loads(run(tmp_path, "user", "list", "--json").stdout)
    ivy = next(u for u in listed if u["username"] == "ivy")
    assert (ivy["status"], ivy["api_keys"], ivy["password"]) == ("active", 1, True)
    assert run(tmp_path, "user", "disable", "ivy").returncode == 0
    assert "disabled" in _authenticates(tmp_path, key)
    assert run(tmp_path, "user", "enable", "ivy").returncode == 0
    assert _authenticates(tmp_path, key) == "ok"
    gone = run(tmp_path, "user", "delete", "ivy", "--yes", "--json")
    assert gone.returncode == 0 and json.loads(gone.stdout)["deleted"] is True
    assert _authenticates(tmp_path, key) != "ok"
    assert all(
        u["username"] != "ivy" for u in json.loads(run(tmp_path, "user", "list", "--json").stdout)
    )
    # The last admin stays; an unknown user is a clear error.
    last = run(tmp_path, "user", "delete", "admin", "--yes")
    assert last.returncode == 1 and "last_admin" in last.stdout
    assert "user_not_found" in run(tmp_path, "user", "mint-key", "nobody").stdout
