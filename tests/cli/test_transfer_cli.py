"""`satchel export` and `satchel import` against a real server (issue 22): a folder tree and
a space go out as ZIPs with manifest.json and come back byte for byte, the kind read from
the manifest; a file that is not an export, a taken output name and options of the other
kind are refused before anything is sent."""

from __future__ import annotations

import hashlib
import json
import secrets
import zipfile
from pathlib import Path

import pytest
from satchel_client import Client

from tests.cli.remote_helpers import Cli
from tests.client.live import LiveServer
from tests.conftest import make_png


@pytest.fixture
def cli(tmp_path: Path, live: LiveServer) -> Cli:
    work = tmp_path / "work"
    work.mkdir()
    c = Cli(home=tmp_path / "config", cwd=work)
    c.ok("login", "--server", live.base, "--token", live.key)
    return c


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_folder_goes_out_and_comes_back_with_its_tree(cli: Cli, live: LiveServer) -> None:
    root = f"/cli-export-{secrets.token_hex(3)}"
    seed = secrets.randbelow(200)
    files = {"a.png": make_png(9, 4, seed=seed), "day2/b.png": make_png(9, 5, seed=seed + 1)}
    for name, data in files.items():
        (cli.cwd / "trip" / name).parent.mkdir(parents=True, exist_ok=True)
        (cli.cwd / "trip" / name).write_bytes(data)
    cli.json("upload", "trip", "--folder", root)

    said = cli.ok("export", f"{root}/trip").strip()
    assert said.startswith("Saved 2 files (") and said.endswith("to trip.zip."), said
    with zipfile.ZipFile(cli.cwd / "trip.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "satchel-folder"
        got = {row["folder"]: _sha(archive.read(row["file"])) for row in manifest["assets"]}
    assert sorted(got.values()) == sorted(_sha(d) for d in files.values())

    again = cli.run("export", f"{root}/trip")  # the ZIP is there: not overwritten
    assert again.returncode == 1 and "(output_exists)" in again.stderr

    back = cli.json("import", "trip.zip", "--into", f"{root}/restored")
    assert back["kind"] == "folder" and back["asset_count"] == 2
    with Client(live.base, live.key) as sdk:
        restored = list(sdk.assets.list(folder=f"{root}/restored", recursive=True))
        by_folder = {a.folder: a for a in restored}
        assert set(by_folder) == {f"{root}/restored", f"{root}/restored/day2"}
        for asset in restored:
            data = sdk.assets.download(asset.id, cli.cwd / f"{asset.id}.png", raw=True)
            name = "a.png" if asset.folder == f"{root}/restored" else "day2/b.png"
            assert data.read_bytes() == files[name], asset.folder

    wrong = cli.run("import", "trip.zip", "--name", "Trip")
    assert wrong.returncode == 1 and "(bad_choice)" in wrong.stderr
    (cli.cwd / "not.zip").write_bytes(b"PK\x03\x04 not really")
    bad = cli.run("import", "not.zip")
    assert bad.returncode == 1 and "(file_unreadable)" in bad.stderr
    missing = cli.run("import", "nowhere.zip")
    assert missing.returncode == 1 and "(file_not_found)" in missing.stderr


def test_a_space_goes_out_and_comes_back_as_a_new_space(cli: Cli, live: LiveServer) -> None:
    png = make_png(8, 8, seed=secrets.randbelow(200))
    (cli.cwd / "s.png").write_bytes(png)
    name = f"CLI Export {secrets.token_hex(3)}"
    with Client(live.base, live.key) as sdk:
        asset = sdk.assets.upload(cli.cwd / "s.png", folder="/cli-space-export").asset
        assert asset is not None
        space = sdk.spaces.create(name)
        sdk.spaces.publish(space.id, [asset.id])
    out = cli.json("export", name, "--space", "-o", "space.zip")
    assert out["files"] == 1 and out["saved_to"] == "space.zip"
    with zipfile.ZipFile(cli.cwd / "space.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "satchel-space"
        [row] = manifest["assets"]
        assert row["sha256"] == _sha(png) and archive.read(row["file"]) == png
    said = cli.ok("import", "space.zip", "--name", f"{name} copy").strip()
    assert said.startswith(f"Imported 1 files into the new space '{name} copy'"), said
    with Client(live.base, live.key) as sdk:
        [copy] = [s for s in sdk.spaces.list() if s.name == f"{name} copy"]
        assert copy.id != space.id and copy.asset_count == 1
    wrong = cli.run("import", "space.zip", "--into", "/x")
    assert wrong.returncode == 1 and "(bad_choice)" in wrong.stderr
