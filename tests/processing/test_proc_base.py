"""The processor contract: registry lookup, failures made clean, the time budget, progress."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from satchel.processing.processors import (
    ProcessingFailed,
    ProcessingTimedOut,
    ProcessLimits,
    ProcessResult,
    Progress,
    base,
    processor,
    processor_for,
    registered,
    run_processor,
)


@pytest.fixture
def scratch_types() -> Iterator[None]:
    """Lets a test register processors for made-up types, and removes them afterwards."""
    before = dict(base._REGISTRY)
    yield
    base._REGISTRY.clear()
    base._REGISTRY.update(before)


def _run(tmp_path: Path, media_type: str, **kwargs: object) -> ProcessResult:
    return run_processor(
        tmp_path / "in.bin",
        media_type=media_type,
        kind="other",
        out_dir=tmp_path / "out",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("media_type", "kind", "module"),
    [
        ("image/jpeg", "image", "image"),
        ("image/svg+xml", "image", "image"),
        ("image/heic", "image", "image"),
        ("video/mp4", "video", "video"),
        ("audio/mpeg", "audio", "audio"),
        ("application/pdf", "document", "pdf"),
        ("application/dxf", "document", "dxf"),
        ("text/csv", "text", "text"),
        ("text/markdown; charset=utf-8", "text", "text"),
        ("application/json", "data", "text"),
        ("application/vnd.oasis.opendocument.text", "document", "office"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document",
            "office",
        ),
    ],
)
def test_processor_for_finds_the_kind_module(media_type: str, kind: str, module: str) -> None:
    found = processor_for(media_type, kind)
    assert found is not None
    assert found.__module__ == f"satchel.processing.processors.{module}"


def test_nothing_handles_archives_and_that_is_not_a_failure(tmp_path: Path) -> None:
    assert processor_for("application/zip", "archive") is None
    (tmp_path / "in.bin").write_bytes(b"PK\x05\x06" + bytes(18))
    result = run_processor(
        tmp_path / "in.bin", media_type="application/zip", kind="archive", out_dir=tmp_path
    )
    assert result == ProcessResult()


def test_every_registered_processor_has_a_docstring_free_module_docstring() -> None:
    for key, func in registered().items():
        module = __import__(func.__module__, fromlist=["_"])
        assert module.__doc__ and "\n" not in module.__doc__.strip(), key


@pytest.mark.usefixtures("scratch_types")
def test_library_errors_become_clean_failures(tmp_path: Path) -> None:
    source = tmp_path / "in.bin"

    @processor("application/x-test-broken")
    def broken(
        path: Path, media_type: str, out: Path, lim: ProcessLimits, p: Progress
    ) -> ProcessResult:
        raise ValueError(f"cannot parse {path}\n  at line 3\n" + "x" * 5000)

    with pytest.raises(ProcessingFailed) as caught:
        _run(tmp_path, "application/x-test-broken")
    reason = caught.value.reason
    assert str(source) not in reason  # no server paths
    assert "in.bin" in reason
    assert "\n" not in reason and "Traceback" not in reason
    assert len(reason) < 400


@pytest.mark.usefixtures("scratch_types")
def test_memory_errors_are_reported_plainly(tmp_path: Path) -> None:
    @processor("application/x-test-oom")
    def oom(
        path: Path, media_type: str, out: Path, lim: ProcessLimits, p: Progress
    ) -> ProcessResult:
        raise MemoryError

    with pytest.raises(ProcessingFailed, match="more memory"):
        _run(tmp_path, "application/x-test-oom")


@pytest.mark.usefixtures("scratch_types")
def test_a_processor_that_keeps_reporting_stops_at_the_budget(tmp_path: Path) -> None:
    @processor("application/x-test-slow")
    def slow(
        path: Path, media_type: str, out: Path, lim: ProcessLimits, p: Progress
    ) -> ProcessResult:
        for step in range(1000):
            p(step // 10, "working")
            time.sleep(0.01)
        return ProcessResult()

    started = time.monotonic()
    with pytest.raises(ProcessingTimedOut, match=r"longer than 0\.2 s"):
        _run(tmp_path, "application/x-test-slow", limits=ProcessLimits(seconds=0.2))
    assert time.monotonic() - started < 2.0


@pytest.mark.usefixtures("scratch_types")
def test_a_silent_processor_over_budget_still_fails(tmp_path: Path) -> None:
    @processor("application/x-test-silent")
    def silent(
        path: Path, media_type: str, out: Path, lim: ProcessLimits, p: Progress
    ) -> ProcessResult:
        time.sleep(0.3)
        return ProcessResult(metadata={"late": True})

    with pytest.raises(ProcessingTimedOut) as caught:
        _run(tmp_path, "application/x-test-silent", limits=ProcessLimits(seconds=0.1))
    assert caught.value.code == "processing_timed_out"


def test_real_processor_over_budget_fails_cleanly(tmp_path: Path) -> None:
    from tests.corpus import CORPUS

    pdf = CORPUS / "pdf/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf"
    with pytest.raises(ProcessingTimedOut):
        run_processor(
            pdf,
            media_type="application/pdf",
            kind="document",
            out_dir=tmp_path,
            limits=ProcessLimits(seconds=0.0),
        )


@pytest.mark.usefixtures("scratch_types")
def test_progress_is_clamped_monotonic_and_ends_at_100(tmp_path: Path) -> None:
    @processor("application/x-test-progress")
    def chatty(
        path: Path, media_type: str, out: Path, lim: ProcessLimits, p: Progress
    ) -> ProcessResult:
        for percent in (-5, 10, 10, 50, 30, 150):
            p(percent, f"at {percent}")
        return ProcessResult()

    seen: list[int] = []
    _run(tmp_path, "application/x-test-progress", progress=lambda pct, msg: seen.append(pct))
    assert seen == sorted(seen)
    assert seen[0] == 0 and seen[-1] == 100
    assert all(0 <= pct <= 100 for pct in seen)


@pytest.mark.usefixtures("scratch_types")
def test_an_exception_from_progress_propagates_unchanged(tmp_path: Path) -> None:
    class Cancelled(Exception):
        pass

    @processor("application/x-test-cancel")
    def work(
        path: Path, media_type: str, out: Path, lim: ProcessLimits, p: Progress
    ) -> ProcessResult:
        p(10, "started")
        return ProcessResult()

    def cancel(percent: int, message: str) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        _run(tmp_path, "application/x-test-cancel", progress=cancel)
