"""`tools.run`, `pipelines.run` and waiting for background jobs, sync and async."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from satchel_client import AsyncClient, Client, Invalid, NotFound

from tests.client.live import LiveServer
from tests.conftest import make_png

STEPS = [
    {"toolId": "resize", "settings": {"width": 20}},
    {"toolId": "rotate", "settings": {"angle": 90}},
]


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "in.png"
    path.write_bytes(make_png(40, 20, seed=9))
    return path


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        return img.size


def test_tools_catalog_run_and_background_jobs(sdk: Client, image: Path, tmp_path: Path) -> None:
    tools = sdk.tools.list()
    resize = next(t for t in tools if (t.section, t.id) == ("image", "resize"))
    assert resize.available and resize.name
    fast = sdk.tools.run("image/resize", image, {"width": 10})
    assert fast.job_id and fast.download_url and not fast.is_async
    assert fast.original_size == image.stat().st_size and fast.processed_size
    sdk.tools.run("image/resize", [image], {"width": 10}, output=tmp_path / "a.png")
    assert _size(tmp_path / "a.png") == (10, 5)
    slow = sdk.tools.run("image/resize", image, {"width": 8}, background=True)
    assert slow.is_async and slow.job_id
    events = list(sdk.jobs.progress(slow.job_id))
    assert events[-1].done and events[-1].status == "completed"
    waited = sdk.tools.run(
        "image/rotate", image, {"angle": 90}, background=True, output=tmp_path / "b.png"
    )
    assert waited.is_async and _size(tmp_path / "b.png") == (20, 40)
    with pytest.raises(Invalid) as bad:
        sdk.tools.run("image/resize", image, {"width": -1})
    assert bad.value.fields
    with pytest.raises(NotFound):
        sdk.tools.run("image/no-such-tool", image)


def test_pipelines_run(sdk: Client, image: Path, tmp_path: Path) -> None:
    result = sdk.pipelines.run(image, STEPS, output=tmp_path / "p.png")
    assert result.job_id and _size(tmp_path / "p.png") == (10, 20)
    queued = sdk.pipelines.run(image, STEPS, background=True, output=tmp_path / "q.png")
    assert queued.is_async and _size(tmp_path / "q.png") == (10, 20)


async def test_async_client_covers_the_same_ground(
    live: LiveServer, image: Path, tmp_path: Path
) -> None:
    async with AsyncClient(live.base, live.key) as sdk:
        up = await sdk.assets.upload(image, tags=["async"])
        assert up.asset is not None and up.job_id
        job = await sdk.jobs.wait(up.job_id)
        assert job.status == "completed"
        assert [a.id async for a in sdk.assets.list(tag="async", page_size=1)] == [up.asset.id]
        assert (await sdk.assets.patch(up.asset.id, tags=["b"])).tags == ["b"]
        assert (await sdk.assets.url(up.asset.id)).url
        assert (await sdk.assets.references(up.asset.id))["asset_id"] == up.asset.id
        space = await sdk.spaces.create("Async Space")
        await sdk.spaces.publish(space.id, [up.asset.id])
        found = await sdk.spaces.find("async space")
        assert found is not None and found.id == space.id
        assert [a.id for a in await sdk.spaces.publications(space.id)] == [up.asset.id]
        key = await sdk.api_keys.create("async-bot")
        assert any(k.id == key.id for k in await sdk.api_keys.list())
        await sdk.api_keys.revoke(key.id)
        assert (await sdk.account.get()).id
        assert (await sdk.usage()).total_assets >= 1
        assert any(t.id == "resize" for t in await sdk.tools.list())
        await sdk.tools.run("image/resize", image, {"width": 10}, output=tmp_path / "r.png")
        assert _size(tmp_path / "r.png") == (10, 5)
        await sdk.pipelines.run(image, STEPS, background=True, output=tmp_path / "p.png")
        assert _size(tmp_path / "p.png") == (10, 20)
        batches = [b async for b in sdk.assets.reprocess_all(kind="image", limit=100)]
        assert batches and not batches[-1].has_more
        await sdk.assets.delete(up.asset.id)
        with pytest.raises(NotFound) as err:
            await sdk.assets.get(up.asset.id)
        assert err.value.code == "asset_not_found"
