"""Search by what the photo says: capture time, camera, place and orientation, checked
against an independent EXIF reader (ExifRead) on the real sample photos."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import exifread
import httpx
import pytest

from satchel.assets import listing
from satchel.runtime import Runtime
from tests.conftest import upload
from tests.jobs.helpers import wait_for_asset

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "images" / "exif-samples"
JPG = SAMPLES / "jpg"
FILES = [
    JPG / "gps" / "DSCN0010.jpg",
    JPG / "gps" / "DSCN0021.jpg",
    JPG / "gps" / "DSCN0040.jpg",
    JPG / "Canon_40D.jpg",
    JPG / "Nikon_D70.jpg",
    JPG / "Fujifilm_FinePix_E500.jpg",
    JPG / "orientation" / "portrait_6.jpg",
    JPG / "orientation" / "landscape_1.jpg",
]

pytestmark = pytest.mark.skipif(not JPG.is_dir(), reason="the EXIF sample corpus is missing")


def _degrees(tag: Any, ref: Any) -> float:
    d, m, s = (float(v.num) / float(v.den) for v in tag.values)
    value = d + m / 60 + s / 3600
    return -value if str(ref).strip().upper() in ("S", "W") else value


def read_exif(path: Path) -> dict[str, Any]:
    """What ExifRead (not Pillow, which Satchel uses) finds in the file."""
    with path.open("rb") as f:
        tags = exifread.process_file(f, details=False)
    found: dict[str, Any] = {}
    taken = tags.get("EXIF DateTimeOriginal") or tags.get("Image DateTime")
    if taken:
        found["taken"] = datetime.strptime(str(taken).strip(), "%Y:%m:%d %H:%M:%S")
    if tags.get("Image Model"):
        found["model"] = str(tags["Image Model"]).strip()
    if tags.get("GPS GPSLatitude") and tags.get("GPS GPSLongitude"):
        found["lat"] = _degrees(tags["GPS GPSLatitude"], tags.get("GPS GPSLatitudeRef"))
        found["lon"] = _degrees(tags["GPS GPSLongitude"], tags.get("GPS GPSLongitudeRef"))
    return found


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


async def _names(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/api/v1/assets", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [a["filename"] for a in response.json()["data"]]


@pytest.mark.parametrize("few", [5000, 1], ids=["index", "walk"])
async def test_metadata_filters_agree_with_an_independent_reader(
    other: httpx.AsyncClient, workers: Runtime, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """A plain user's library (an admin lists every owner's, which is not probed). With
    `few=1` every range filter counts as wide, so it is answered by walking the sort index
    (the filter on expressions its index does not serve): the answers are the same."""
    client = other
    monkeypatch.setattr(listing, "FEW_MATCHES", few)
    walked: set[str] = set()
    wide_ranges = listing._wide_ranges

    def spy(*args: Any) -> frozenset[str]:
        wide = wide_ranges(*args)
        walked.update(wide)
        return wide

    monkeypatch.setattr(listing, "_wide_ranges", spy)
    truth = {p.name: read_exif(p) for p in FILES}
    for path in FILES:
        made = (await upload(client, path))["data"]
        ready = await wait_for_asset(client, made["id"])
        assert ready["status"] == "ready", ready
    assets = {a["filename"]: a for a in (await client.get("/api/v1/assets")).json()["data"]}
    assert set(assets) == set(truth)

    # Capture times: what the file says (none of these carry an offset).
    dated = {n: t["taken"] for n, t in truth.items() if "taken" in t}
    assert len(dated) >= 6
    for name, taken in dated.items():
        # Stored as the camera's clock (no offset in these files), answered in ISO form.
        shown = datetime.fromisoformat(assets[name]["taken_at"]).replace(tzinfo=None)
        assert shown == taken, name
    ordered = await _names(client, sort="taken_at", order="asc")
    assert [n for n in ordered if n in dated] == sorted(dated, key=lambda n: (dated[n], n))
    middle = sorted(dated.values())[len(dated) // 2]
    after = await _names(client, taken_after=middle.isoformat())
    undated = set(truth) - set(dated)  # taken "when stored": now, after every dated one
    assert set(after) == {n for n, t in dated.items() if t > middle} | undated
    before = await _names(client, taken_before=middle.isoformat())
    assert set(before) == {n for n, t in dated.items() if t < middle}

    # Cameras: by model, exactly the files whose EXIF names it.
    models = {t["model"] for t in truth.values() if "model" in t}
    assert len(models) >= 3
    for model in models:
        expected = {n for n, t in truth.items() if t.get("model") == model}
        assert set(await _names(client, camera=model)) == expected, model
    assert await _names(client, camera="No Such Camera") == []

    # Places: within a radius of one GPS photo, by great-circle distance.
    placed = {n: (t["lat"], t["lon"]) for n, t in truth.items() if "lat" in t}
    assert len(placed) >= 3
    for name, (lat, lon) in placed.items():
        assert assets[name]["latitude"] == pytest.approx(lat, abs=1e-5)
        assert assets[name]["longitude"] == pytest.approx(lon, abs=1e-5)
    centre = placed["DSCN0010.jpg"]
    for km in (0.05, 2.0, 50.0):
        expected = {n for n, p in placed.items() if _km(centre, p) <= km}
        got = await _names(client, near=f"{centre[0]},{centre[1]},{km}")
        assert set(got) == expected, km
    box = f"{centre[0] - 0.01},{centre[1] - 0.01},{centre[0] + 0.01},{centre[1] + 0.01}"
    in_box = {
        n for n, p in placed.items() if abs(p[0] - centre[0]) <= 0.01 >= abs(p[1] - centre[1])
    }
    assert set(await _names(client, bbox=box)) == in_box
    assert set(await _names(client, has_location="true")) == set(placed)

    # Orientation as shown (EXIF orientation 6 turns a landscape frame into a portrait).
    portrait = set(await _names(client, orientation="portrait"))
    assert "portrait_6.jpg" in portrait and "landscape_1.jpg" not in portrait
    wide = await _names(client, min_width=assets["landscape_1.jpg"]["width"])
    assert "landscape_1.jpg" in wide

    if few == 1:
        expected_walks = {"place", "taken", "width"} if workers.db.is_sqlite else {"place"}
        assert walked == expected_walks
    else:
        assert walked == set()

    facets = (await client.get("/api/v1/assets/facets")).json()["data"]
    assert facets["total"] == len(FILES)
    cameras = {c["value"]: c["count"] for c in facets["cameras"]}
    assert cameras == {m: sum(1 for t in truth.values() if t.get("model") == m) for m in models}
    years = {y["value"]: y["count"] for y in facets["years"]}
    for year in {t.year for t in dated.values()}:
        assert years[str(year)] >= sum(1 for t in dated.values() if t.year == year)
    assert sum(y["count"] for y in facets["years"]) == len(FILES)  # undated: when stored
    assert facets["with_location"] == len(placed)

    for bad in ({"near": "91,0,1"}, {"near": "x"}, {"bbox": "1,2,3"}, {"orientation": "round"}):
        response = await client.get("/api/v1/assets", params=bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["fields"][0]["field"] == next(iter(bad))
