"""DXF processor: previews drawn from generated drawings, within the primitive limit."""

from __future__ import annotations

from pathlib import Path

import ezdxf
import numpy as np
import pytest
import pyvips

from satchel.processing.processors import ProcessingFailed, ProcessLimits
from tests.processing.conftest import Process


def _pixels(path: Path) -> np.ndarray:
    image = pyvips.Image.new_from_file(str(path))
    return np.ndarray(
        buffer=image.write_to_memory(),
        dtype=np.uint8,
        shape=(image.height, image.width, image.bands),
    )


def test_preview_of_lines_circles_arcs_polylines_and_blocks(
    process: Process, tmp_path: Path
) -> None:
    doc = ezdxf.new()
    space = doc.modelspace()
    space.add_line((0, 0), (200, 0))
    space.add_line((200, 0), (200, 100))
    space.add_circle((100, 50), 30)
    space.add_arc((100, 50), 15, 0, 180)
    space.add_lwpolyline([(0, 0), (20, 80), (40, 0)])
    block = doc.blocks.new("MARK")
    block.add_line((0, 0), (10, 10))
    space.add_blockref("MARK", (150, 80))
    path = tmp_path / "plan.dxf"
    doc.saveas(path)
    result = process(path, "application/dxf")
    assert result.metadata["primitives"] == 6
    kinds = {d.kind: d for d in result.derivatives}
    assert kinds["preview"].media_type == "image/png"
    pixels = _pixels(kinds["preview"].path)
    assert pixels.shape[1] == 1600 and 780 < pixels.shape[0] < 840  # 2:1 plus margins
    ink = pixels[:, :, 0] < 128
    assert 0.002 < ink.mean() < 0.05
    assert ink[-17, 100:1500].mean() > 0.9  # the bottom line runs along the lower margin
    assert kinds["thumbnail"].width == 320


def test_primitive_limit_truncates_quickly(process: Process, tmp_path: Path) -> None:
    doc = ezdxf.new()
    space = doc.modelspace()
    for i in range(3000):
        space.add_line((i, 0), (i, 10))
    path = tmp_path / "many.dxf"
    doc.saveas(path)
    result = process(path, "application/dxf", ProcessLimits(max_dxf_primitives=500))
    assert result.metadata["primitives"] == 500
    assert result.raw["truncated"] is True


def test_drawing_without_geometry_fails_clearly(process: Process, tmp_path: Path) -> None:
    doc = ezdxf.new()
    doc.modelspace().add_text("only words")
    path = tmp_path / "words.dxf"
    doc.saveas(path)
    with pytest.raises(ProcessingFailed, match="no lines"):
        process(path, "application/dxf")


def test_garbage_fails_clearly(process: Process, tmp_path: Path) -> None:
    path = tmp_path / "bad.dxf"
    path.write_text("0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n0\n10\nnot-a-number\n")
    with pytest.raises(ProcessingFailed):
        process(path, "application/dxf")
