"""The warm LibreOffice converter leaves no office behind (soffice.bin is ~150 MiB each):
not when the process that started it is killed (a sandbox worker past its deadline, or
stopped with the server), and not when the converter itself is killed at a conversion's
deadline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from satchel.media import office

pytestmark = pytest.mark.skipif(
    office.available() is not None, reason=f"LibreOffice: {office.available()}"
)

CONVERT_THEN_WAIT = """
import sys, time
from pathlib import Path
from satchel.media import office
src = Path(sys.argv[1])
office.convert(src, src.with_suffix(".pdf"), fmt="pdf", media_type="text/plain", name="a.txt")
print("converted", flush=True)
time.sleep(600)
"""


def _offices(root: psutil.Process) -> list[psutil.Process]:
    """soffice.bin processes below `root`."""
    return [p for p in root.children(recursive=True) if p.name() == "soffice.bin"]


def _gone(procs: list[psutil.Process], seconds: float = 15.0) -> list[psutil.Process]:
    """Those of `procs` still running after `seconds` (zombies count as gone)."""
    _, alive = psutil.wait_procs(procs, timeout=seconds)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_a_killed_process_takes_its_office_with_it(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("one line\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", CONVERT_THEN_WAIT, str(src)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "converted"
        assert (tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
        # The bridge runs in its own session, so look for the office below it by its parent.
        started = _offices(psutil.Process(proc.pid))
        assert started, "no soffice.bin below the converting process"
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert _gone(started) == [], "soffice.bin outlived the process that started it"


def test_a_converter_killed_at_its_deadline_leaves_no_office(tmp_path: Path) -> None:
    converter = office._Converter()  # what a conversion past CONVERT_SECONDS gets
    started = _offices(psutil.Process(converter.proc.pid))
    assert started, "no soffice.bin below the bridge"
    converter.kill()
    assert _gone(started) == []
