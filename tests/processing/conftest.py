"""Fixtures for processor tests: run one on a file into a fresh output folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from satchel.media import kind_of
from satchel.processing.processors import ProcessLimits, ProcessResult, run_processor

Process = Callable[..., ProcessResult]


@pytest.fixture
def process(tmp_path: Path) -> Process:
    """process(path, media_type, limits=None) → result; derivatives land under tmp_path."""
    counter = iter(range(1_000_000))

    def run(path: Path, media_type: str, limits: ProcessLimits | None = None) -> ProcessResult:
        out = tmp_path / f"out{next(counter)}"
        return run_processor(
            path, media_type=media_type, kind=kind_of(media_type), out_dir=out, limits=limits
        )

    return run
