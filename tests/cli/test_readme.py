"""The README's CLI quickstart, run exactly as written (prompts answered on stdin)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image
from satchel_client import Client

from satchel.config import Settings
from tests.cli.remote_helpers import Cli
from tests.client.live import LiveServer

README = Path(__file__).resolve().parents[2] / "README.md"


def quickstart() -> list[list[str]]:
    text = README.read_text()
    section = text.split("## Command line and Python SDK", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the CLI quickstart block is missing"
    joined = block.group(1).replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.strip()]


def test_readme_commands_work_without_uv_on_path() -> None:
    """After `make serve` on a machine that had only Python, make and git, uv lives in
    ~/.local/bin, which is not on PATH: no command the README shows may need it."""
    text = README.read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    assert not [line for line in lines if line.startswith("uv ")], "a README command needs uv"
    venv = README.parent / ".venv" / "bin"
    named = {m for line in lines for m in re.findall(r"\.venv/bin/(\w+)", line)}
    assert named and all((venv / name).exists() for name in named), named


# The ISO/MP4 flavour of a .mov. A QuickTime-flavoured one ("mov") is refused today: the
# server's isobmff parser takes the handler of minf's data-handler box ("alis") for the
# track's, and finds "no audio or video track" (reported to the lead).
FORMAT = "mp4"


def make_movie(path: Path) -> None:
    """A real QuickTime movie: half a second of small H.264 frames."""
    with av.open(str(path), "w", format=FORMAT) as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.options = {"preset": "ultrafast"}
        for index in range(12):
            pixels = np.full((48, 64, 3), index * 20, dtype=np.uint8)
            container.mux(video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(video.encode())


def test_the_readme_quickstart_works_as_written(tmp_path: Path, live: LiveServer) -> None:
    commands = quickstart()
    assert commands[0] == ["source", ".venv/bin/activate"]  # what puts `satchel` on PATH
    commands = commands[1:]
    assert commands == [
        ["satchel", "login"],
        ["satchel", "upload"],
        ["satchel", "upload", "showreel.mov", "--space", "Highlights"],
    ]
    cli = Cli(home=tmp_path / "config", cwd=tmp_path / "work")
    cli.cwd.mkdir()
    make_movie(cli.cwd / "showreel.mov")
    (cli.cwd / "notes.txt").write_text("shot list\n")
    answers = {
        "login": f"{live.base}\nadmin\n{live.password}\n",  # server, username, password
        "upload": "1-2\n",  # the picker: both files
    }
    outputs = []
    for argv in commands:
        assert argv[0] == "satchel"
        done = cli.run(*argv[1:], input=answers.get(" ".join(argv[1:])))
        assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)
    assert "Signed in to" in outputs[0]
    assert "showreel.mov →" in outputs[1] and "notes.txt →" in outputs[1]
    share = re.search(r"(http://\S+/s/(\w+))", outputs[2])
    assert share, outputs[2]
    manifest = httpx.get(f"{live.base}/api/v1/public/spaces/{share.group(2)}").json()["data"]
    assert manifest["name"] == "Highlights"
    assert [a["filename"] for a in manifest["assets"]] == ["showreel.mov"]
    assert httpx.get(share.group(1)).status_code == 200


def test_the_readme_sdk_snippet_runs_twice_as_written(
    tmp_path: Path, live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run again, it still works: the deduplicated upload has a job to wait for, and the
    space of that name is found, not made twice (or refused as taken)."""
    section = README.read_text().split("## Command line and Python SDK", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "the SDK snippet is missing"
    assert '"http://127.0.0.1:8080", token="sat_…"' in block.group(1)
    code = block.group(1).replace('"http://127.0.0.1:8080", token="sat_…"', "BASE, token=KEY")
    monkeypatch.chdir(tmp_path)
    make_movie(tmp_path / "showreel.mov")
    Image.new("RGB", (1600, 900), (200, 120, 40)).save(tmp_path / "photo.jpg", quality=90)
    for _ in range(2):
        exec(compile(code, "README.md", "exec"), {"BASE": live.base, "KEY": live.key})
        with Image.open(tmp_path / "small.jpg") as small:
            assert small.size == (800, 450)
    with Client(live.base, token=live.key) as client:
        named = [s for s in client.spaces.list() if s.name == "Highlights"]
        assert len(named) == 1
        assert "showreel.mov" in [a.filename for a in client.spaces.publications(named[0].id)]


def test_the_readme_lists_every_setting_as_the_code_has_it() -> None:
    """`satchel config --markdown` and the README's reference table are the same text: a
    setting added, renamed or re-described without the README fails here."""
    text = README.read_text()
    start, end = (
        "<!-- satchel config --markdown: start -->\n",
        "<!-- satchel config --markdown: end -->",
    )
    assert start in text and end in text, "the README's settings reference is missing"
    table = text.split(start, 1)[1].split(end, 1)[0]
    printed = subprocess.run(
        [str(README.parent / ".venv" / "bin" / "satchel"), "config", "--markdown"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SATCHEL_PORT": "9999"},
    ).stdout
    assert printed == table
    names = {f"SATCHEL_{n.upper()}" for n in Settings.model_fields}
    assert {line.split("`")[1] for line in table.splitlines()[2:]} == names


def test_the_readme_curl_commands_work_as_written(tmp_path: Path, live: LiveServer) -> None:
    """The Quickstart's curl block, in a shell, with the printed key and the id the upload
    answered: the download goes next to the photo, never over it."""
    quick = README.read_text().split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert len(blocks) == 2 and blocks[1].startswith("KEY=sat_...")
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 48), (10, 200, 30)).save(photo, quality=90)
    original = photo.read_bytes()
    lines = blocks[1].replace("\\\n", " ").strip().splitlines()
    upload, listing, download = lines[1:]
    env = {"PATH": "/usr/bin:/bin"}

    def sh(command: str) -> str:
        done = subprocess.run(
            ["sh", "-c", f"KEY={live.key}; {command}".replace("http://127.0.0.1:8080", live.base)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return done.stdout

    made = json.loads(sh(upload))["data"]
    assert made["filename"] == "photo.jpg"
    assert made["id"] in sh(listing)
    sh(download.replace("ast_...", made["id"]))
    assert photo.read_bytes() == original  # the upload is untouched
    assert (tmp_path / "photo-copy.jpg").read_bytes() == original
