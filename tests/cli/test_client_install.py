"""Friction 2: the remote CLI installs alone, without the server or its media engines.

`uv tool install "./clients/python[cli]"` (the README's recipe; `pipx install` does the
same) gives a `satchel` that signs in to a live server and uploads, while `import satchel`
(the server) and its media engines are not there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.client.live import LiveServer
from tests.conftest import make_png

ROOT = Path(__file__).resolve().parents[2]
UV = shutil.which("uv") or str(Path.home() / ".local/bin/uv")


@pytest.fixture(scope="module")
def client_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`uv tool install "./clients/python[cli]"`, as the README has it, into folders of the
    test's own (the tool's environment and the folder its `satchel` is linked from)."""
    if not Path(UV).exists():
        pytest.skip("uv is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("client")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))},
        "UV_TOOL_DIR": str(root / "tools"),
        "UV_TOOL_BIN_DIR": str(root / "bin"),
    }
    subprocess.run(
        [UV, "tool", "install", "-q", "--python", sys.executable, "./clients/python[cli]"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    venv = root / "tools" / "satchel-client"
    linked = root / "bin" / "satchel"
    assert linked.resolve() == (venv / "bin" / "satchel").resolve(), linked
    return venv


def test_the_client_alone_signs_in_and_uploads(
    client_venv: Path, live: LiveServer, tmp_path: Path
) -> None:
    python = client_venv / "bin/python"
    for missing in ("satchel", "pyvips", "av", "fastapi"):  # the server and its engines
        probe = subprocess.run(
            [python, "-c", f"import {missing}"], cwd=tmp_path, capture_output=True
        )
        assert probe.returncode == 1, missing
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SATCHEL_", "VIRTUAL_ENV"))},
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "200",
        "PATH": f"{client_venv / 'bin'}:/usr/bin:/bin",
    }

    def satchel(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["satchel", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    shown = satchel("--help")
    assert shown.returncode == 0 and "upload" in shown.stdout and "login" in shown.stdout
    assert "│ serve " not in shown.stdout and "Local admin" not in shown.stdout
    assert satchel("login", "--server", live.base, "--token", live.key).returncode == 0
    (tmp_path / "dot.png").write_bytes(make_png(3, 3, seed=77))
    up = satchel("upload", "dot.png", "--json")
    assert up.returncode == 0, up.stderr
    [done] = json.loads(up.stdout)["uploads"]
    listed = satchel("get", done["asset"]["id"], "--json")
    assert json.loads(listed.stdout)["filename"] == "dot.png"
