"""`satchel upload` of many files: several at once (seen by a proxy in front of the real
server), one overall bar plus the files in flight in a short terminal, sizes and rates in
one unit system, a summary whose counts match what happened, errors with their codes."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import re
import secrets
import struct
import subprocess
import termios
import time
from io import StringIO
from pathlib import Path

from rich.console import Console
from satchel_client.cli.board import Board

from tests.cli.holding_proxy import HoldingProxy
from tests.cli.remote_helpers import SATCHEL, Cli
from tests.client.live import LiveServer
from tests.conftest import make_png

# A size or a rate as the CLI prints one: `184 B`, `137.6 KiB`, `2.0 MiB/s`.
AMOUNT = re.compile(r"\b\d+(?:\.\d+)? ?([kKMGT]i?B|B|bytes)(/s)?\b")
IEC = {"B", "KiB", "MiB", "GiB", "TiB"}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


_RUNS = itertools.count(secrets.randbelow(256))


def _photos(folder: Path, count: int, prefix: str) -> list[str]:
    """Distinct PNGs no other test stores (an unusual width, a seed of their own: random per
    session, then never the same twice, so two sets in one test never share a picture)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    run = next(_RUNS) % 256
    for i in range(count):
        name = f"{prefix}{i:02d}.png"
        (folder / name).write_bytes(make_png(333, 40 + i, seed=run))
        names.append(name)
    return names


def _units(text: str) -> set[str]:
    return {m.group(1) for m in AMOUNT.finditer(text)}


def _signed_in(tmp_path: Path, server: str, key: str) -> Cli:
    cli = Cli(home=tmp_path / "config", cwd=tmp_path / "work")
    cli.cwd.mkdir(exist_ok=True)
    cli.ok("login", "--server", server, "--token", key)
    return cli


def test_many_files_go_up_several_at_once_with_a_summary_that_adds_up(
    tmp_path: Path, live: LiveServer
) -> None:
    with HoldingProxy(live.base, hold_first=5.0) as proxy:
        cli = _signed_in(tmp_path, proxy.base, live.key)
        first = _photos(cli.cwd, 6, "a")
        (cli.cwd / "empty.png").write_bytes(b"")
        began = time.monotonic()
        done = cli.run("upload", *first, "empty.png", "--files", "4")
        wall = time.monotonic() - began
        assert done.returncode == 1, done.stdout + done.stderr  # one file failed
        # Sent side by side, as the server saw them: more than one PUT at a time, never
        # more than --files.
        assert proxy.puts == 6
        assert 2 <= proxy.most_in_flight <= 4, proxy.most_in_flight
    lines = done.stdout.strip().splitlines()
    assert sorted(line.split(" → ")[0] for line in lines[:-1]) == first
    said = re.fullmatch(
        r"Uploaded 6 of 7 files \(1 failed\): (\d+\.\d) KiB sent in (\d+\.\d) s, "
        r"(\d+(?:\.\d)?) (B|KiB|MiB)/s\.",
        lines[-1],
    )
    assert said, lines[-1]
    # Honest figures: the six photos' bytes, over no more time than the command took, and
    # the rate is the one those two make (to the rounding printed).
    sent_kib, seconds, rate = float(said[1]), float(said[2]), float(said[3])
    photos_kib = sum((cli.cwd / n).stat().st_size for n in first) / 1024
    assert abs(sent_kib - photos_kib) <= 0.1, (sent_kib, photos_kib)
    assert 0 < seconds <= wall + 0.05, (seconds, wall)
    # Each figure is printed to one decimal: the rate must fall among those the true
    # bytes and seconds (within ±0.05 of what is printed) make, to its own rounding.
    unit = {"B": 1 / 1024, "KiB": 1, "MiB": 1024}[said[4]]
    lowest = (sent_kib - 0.05) / (seconds + 0.05) - 0.05 * unit
    highest = (sent_kib + 0.05) / max(seconds - 0.05, 0.001) + 0.05 * unit
    assert lowest <= rate * unit <= highest, (lines[-1], lowest, highest)
    assert done.stderr.strip().splitlines() == [
        "error: empty.png: The announced file is empty. (asset_file_empty)"
    ]
    assert _units(done.stdout) <= IEC and "?" not in done.stdout

    # Again with three more: the six are already stored, and the counts say so.
    more = _photos(cli.cwd, 3, "b")
    again = Cli(home=cli.home, cwd=cli.cwd)
    again.ok("login", "--server", live.base, "--token", live.key)
    rerun = again.run("upload", *first, *more, "empty.png", "--json")
    assert rerun.returncode == 1
    out = json.loads(rerun.stdout)
    summary = out["summary"]
    assert {k: summary[k] for k in ("files", "uploaded", "already_stored", "failed")} == {
        "files": 10,
        "uploaded": 3,
        "already_stored": 6,
        "failed": 1,
    }
    stored = [u for u in out["uploads"] if u.get("deduplicated")]
    assert sorted(Path(u["path"]).name for u in stored) == first
    [failed] = [u for u in out["uploads"] if "error" in u]
    assert failed["error"]["code"] == "asset_file_empty"
    # Only what went over the wire counts as sent; at most the three new files.
    sizes = {n: (cli.cwd / n).stat().st_size for n in first + more}
    assert summary["bytes_sent"] <= sum(sizes[n] for n in more) + sum(sizes[n] for n in first)
    assert summary["bytes_sent"] >= sum(sizes[n] for n in more)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_short_terminal_shows_one_overall_bar_and_the_files_in_flight(
    tmp_path: Path, live: LiveServer
) -> None:
    rows = 7
    with HoldingProxy(live.base, delay=0.6) as proxy:
        cli = _signed_in(tmp_path, proxy.base, live.key)
        names = _photos(cli.cwd, 8, "t")
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 90, 0, 0))
        env = {k: v for k, v in cli.env().items() if k not in ("COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        proc = subprocess.Popen(
            [*SATCHEL, "upload", *names],
            cwd=cli.cwd,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
        )
        os.close(slave)
        raw = _read_all(master).decode("utf-8", "replace")
        assert proc.wait(timeout=120) == 0, raw
        os.close(master)
    # Rich redraws the live area in place: back to the start of the line, up over the
    # previous frame's lines, then the new frame.
    frames = [ANSI.sub("", f) for f in re.split(r"\r(?:\x1b\[2K\x1b\[1A)*\x1b\[2K", raw)]
    live_frames = [f for f in frames if re.search(r"\d+/8 files", f)]
    assert live_frames, raw
    in_flight = []
    for frame in live_frames:
        shown = [line for line in frame.replace("\r", "\n").split("\n") if line.strip()]
        overall = [line for line in shown if re.match(r"\s*\d+/8 files", line)]
        assert len(overall) == 1, frame
        assert len([line for line in shown if line.startswith("  t")]) <= 4
        in_flight.append({line.split()[0] for line in shown if line.startswith("  t")})
    assert max(len(names_shown) for names_shown in in_flight) >= 2, live_frames
    text = ANSI.sub("", raw)
    assert _units(text) <= IEC, _units(text)
    assert "?" not in text and " MB" not in text and " kB" not in text
    assert re.search(r"Uploaded 8 of 8 files: \d+\.\d KiB sent in \d+\.\d s", text), text


def test_the_board_keeps_to_a_short_terminal() -> None:
    board = Board([100 << 10] * 6)
    for index in range(5):
        board.start(index, f"file{index}.jpg", 100 << 10)
        board.progress(index, 30 << 10)
    out = StringIO()
    Console(file=out, width=100, height=5, force_terminal=False).print(board)
    lines = out.getvalue().rstrip("\n").split("\n")
    # 5 rows: the overall line, two files, "… 3 more", and the cursor's line.
    assert len(lines) == 4, lines
    assert lines[0].startswith("0/6 files") and "150.0 KiB of 600.0 KiB" in lines[0]
    assert lines[1].split()[0] == "file0.jpg" and "30.0 KiB of 100.0 KiB" in lines[1]
    assert lines[3].strip() == "… 3 more in flight"
    assert "/s" not in lines[0]  # nothing acknowledged yet: no rate, not a guess
