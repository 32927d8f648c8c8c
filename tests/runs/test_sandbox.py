"""The sandbox pool itself: runs happen in other processes, and a crash, a hang or a
runaway allocation there is answered with a clean error while the pool serves on."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from satchel.errors import SatchelError
from satchel.runs.sandbox import Budget, Sandbox
from satchel.runs.wire import limits_to_wire
from satchel.tools.base import ToolLimits
from tests.conftest import make_png

MODULES = ["tests.runs.hostile_tools"]
FAST = Budget(seconds=30, memory=512 << 20)


@pytest.fixture(scope="module")
def pool() -> Iterator[Sandbox]:
    sandbox = Sandbox(size=1)
    yield sandbox
    sandbox.close()


def _run(pool: Sandbox, tmp: Path, tool: str, budget: Budget = FAST, **settings: Any) -> Any:
    src = tmp / "in.png"
    src.write_bytes(make_png(64, 32))
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    args = {
        "tool": tool,
        "settings": settings,
        "inputs": [[str(src), "in.png", "image/png"]],
        "extras": {},
        "workdir": str(out),
        "limits": limits_to_wire(ToolLimits()),
        "modules": MODULES,
    }
    return pool.call("run", args, budget=budget)


def _code(pool: Sandbox, tmp: Path, tool: str, budget: Budget = FAST) -> str:
    with pytest.raises(SatchelError) as caught:
        _run(pool, tmp, tool, budget)
    assert caught.value.status == 422
    return caught.value.code


def test_a_run_happens_in_another_process(pool: Sandbox, tmp_path: Path) -> None:
    result, _ = _run(pool, tmp_path, "resize", width=16)
    [(path, name, media_type)] = result["files"]
    assert (name, media_type) == ("in.png", "image/png")
    assert Path(path).is_file()
    assert pool.pids() and os.getpid() not in pool.pids()


@pytest.mark.parametrize(
    ("tool", "code"),
    [("test-abort", "tool_crashed"), ("test-hog", "tool_out_of_memory")],
)
def test_a_crash_or_a_runaway_allocation_is_a_clean_error(
    pool: Sandbox, tmp_path: Path, tool: str, code: str
) -> None:
    before = pool.pids()
    assert _code(pool, tmp_path, tool) == code
    assert pool.pids() != before  # the process was replaced …
    result, _ = _run(pool, tmp_path, "resize", width=8)  # … and the next run works
    assert result["files"]


def test_a_hang_is_stopped_at_the_deadline(pool: Sandbox, tmp_path: Path) -> None:
    _run(pool, tmp_path, "resize", width=8)  # warm, so the clock measures the run only
    started = time.monotonic()
    assert _code(pool, tmp_path, "test-hang", Budget(seconds=1.5, memory=None)) == "tool_timeout"
    assert time.monotonic() - started < 10
    assert _run(pool, tmp_path, "resize", width=8)[0]["files"]


def test_bad_settings_and_unknown_tools_come_back_as_errors(pool: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(SatchelError) as caught:
        _run(pool, tmp_path, "resize", width=-1)
    assert caught.value.code == "validation_error"
    assert caught.value.fields[0]["field"] == "settings.width"
    with pytest.raises(SatchelError) as missing:
        _run(pool, tmp_path, "no-such-tool")
    assert missing.value.code == "tool_not_found"


def test_progress_reaches_the_caller(pool: Sandbox, tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    src.write_bytes(make_png(64, 32))
    (tmp_path / "out").mkdir()
    seen: list[int] = []
    args = {
        "steps": [{"toolId": "resize", "settings": {"width": 32}}, {"toolId": "rotate"}],
        "inputs": [[str(src), "in.png", "image/png"]],
        "extras": {},
        "workdir": str(tmp_path / "out"),
        "limits": limits_to_wire(ToolLimits()),
    }
    result, _ = pool.call("run", args, budget=FAST, report=lambda p, _m: seen.append(p))
    assert len(result["files"]) == 1
    assert seen and seen == sorted(seen) and seen[-1] == 100
