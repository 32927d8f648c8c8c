"""`satchel tools ls`, `tools run` and `pipeline run` against a real server."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.remote_helpers import Cli
from tests.client.live import LiveServer
from tests.conftest import make_png


@pytest.fixture
def cli(tmp_path: Path, live: LiveServer) -> Cli:
    c = Cli(home=tmp_path / "config", cwd=tmp_path)
    c.ok("login", "--server", live.base, "--token", live.key)
    (tmp_path / "in.png").write_bytes(make_png(40, 20, seed=7))
    (tmp_path / "in2.png").write_bytes(make_png(30, 30, seed=8))
    return c


def test_tools_ls_and_run(cli: Cli) -> None:
    tools = cli.json("tools", "ls")
    ids = {f"{t['section']}/{t['id']}" for t in tools}
    assert {"image/resize", "image/rotate"} <= ids
    assert "image/resize" in cli.ok("tools", "ls")
    out = cli.json("tools", "run", "image/resize", "in.png", "--set", "width=10", "-o", "small.png")
    assert out["job_id"] and out["saved_to"] == "small.png"
    with Image.open(cli.cwd / "small.png") as img:
        assert img.size == (10, 5)
    said = cli.ok("tools", "run", "image/rotate", "in.png", "--set", "angle=90", "-o", "r.png")
    assert said.startswith("Saved r.png")
    with Image.open(cli.cwd / "r.png") as img:
        assert img.size == (20, 40)
    # Several files: a batch, answered as a ZIP.
    cli.ok("tools", "run", "image/resize", "in.png", "in2.png", "--set", "width=5", "-o", "b.zip")
    with zipfile.ZipFile(cli.cwd / "b.zip") as archive:
        names = [n for n in archive.namelist() if n.endswith(".png")]
        assert len(names) == 2
        for name in names:
            with Image.open(io.BytesIO(archive.read(name))) as img:
                assert img.size[0] == 5
    bad = cli.run("tools", "run", "image/resize", "in.png", "--set", "width=-3", "-o", "x.png")
    said = bad.stderr.strip().splitlines()
    assert bad.returncode == 1 and said[0].startswith("error: ") and len(said) == 2, said
    assert said[1].strip().startswith("settings.width:"), said  # the field the API named
    assert not (cli.cwd / "x.png").exists()
    # `tools show` lists each setting with its type, range and default.
    shown = cli.ok("tools", "show", "image/resize")
    width = next(line for line in shown.splitlines() if line.strip("│ ").startswith("width"))
    assert "integer" in width and "null" in width, width
    quality = next(line for line in shown.splitlines() if line.strip("│ ").startswith("quality"))
    assert "1..100" in quality and "integer" in quality, quality
    schema = cli.json("tools", "show", "image/resize")["settings_schema"]
    assert "width" in schema["properties"]
    unknown = cli.run("tools", "run", "image/nope", "in.png")
    assert unknown.returncode == 1 and "not_found" in unknown.stderr
    malformed = cli.run("tools", "run", "resize", "in.png")
    assert malformed.returncode == 1 and "(bad_tool)" in malformed.stderr


def test_pipeline_run(cli: Cli) -> None:
    steps = {
        "steps": [
            {"toolId": "resize", "settings": {"width": 20}},
            {"toolId": "rotate", "settings": {"angle": 90}},
        ]
    }
    (cli.cwd / "p.json").write_text(json.dumps(steps))
    out = cli.json("pipeline", "run", "p.json", "in.png", "-o", "out.png")
    assert out["saved_to"] == "out.png"
    with Image.open(cli.cwd / "out.png") as img:
        assert img.size == (10, 20)
    (cli.cwd / "empty.json").write_text('{"steps": []}')
    empty = cli.run("pipeline", "run", "empty.json", "in.png")
    assert empty.returncode == 1 and "(bad_pipeline)" in empty.stderr
    # An invalid step: the CLI names each step the API refused, and nothing is saved.
    bad = {
        "steps": [
            {"toolId": "resize", "settings": {"width": 20}},
            {"toolId": "rotate", "settings": {"angle": "sideways"}},
            {"toolId": "no-such-tool"},
        ]
    }
    (cli.cwd / "bad.json").write_text(json.dumps(bad))
    refused = cli.run("pipeline", "run", "bad.json", "in.png", "-o", "never.png")
    said = refused.stderr.strip().splitlines()
    assert refused.returncode == 1 and "(pipeline_invalid)" in said[0], said
    named = [line.strip().split(":")[0] for line in said[1:]]
    assert named == ["steps.1.settings.angle", "steps.2.toolId"], said
    assert "no-such-tool" in said[2], said
    assert not (cli.cwd / "never.png").exists()
