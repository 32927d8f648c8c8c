"""The data folder is the service's alone: 0700, keys 0600, nothing group- or
world-readable inside, even when the folder existed with looser modes."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx

from satchel.api.app import create_app
from satchel.config import Settings
from satchel.runtime import start
from tests.conftest import ADMIN_KEY, make_png


async def test_data_folder_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    settings = Settings(data_dir=data, admin_api_key=ADMIN_KEY, base_url="http://testserver")  # type: ignore[arg-type]
    runtime = start(settings)
    try:
        app = create_app(settings, runtime)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        ) as client:
            made = await client.post("/api/v1/assets", files={"file": ("a.png", make_png(seed=9))})
            assert made.status_code == 202
    finally:
        runtime.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for key in ("secret.key", "storage.key"):
        if (data / key).exists():
            assert stat.S_IMODE((data / key).stat().st_mode) == 0o600
    assert (data / "secret.key").exists()
    loose = [
        str(p.relative_to(data))
        for p in data.rglob("*")
        if p.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    ]
    assert loose == []
