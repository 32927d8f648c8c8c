"""Split Audio: pieces by length, by count, or at silences, as a ZIP."""

from __future__ import annotations

import itertools
import math
from typing import Literal

from pydantic import Field

from satchel.media import avaudio, avedit, avencode
from satchel.tools.base import (
    Inputs,
    InputSpec,
    OutputFile,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

MAX_PIECES = 200
LEVELS_PER_S = 100


class Settings(ToolSettings):
    mode: Literal["time", "parts", "silence"] = Field("time", description="How to cut.")
    segment_s: float = Field(60.0, ge=1, le=3600, description="For time: piece length, s.")
    parts: int = Field(2, ge=2, le=MAX_PIECES, description="For parts: how many pieces.")
    threshold_db: float = Field(-50, ge=-80, le=-20, description="For silence: its level.")
    min_silence_s: float = Field(0.5, ge=0.1, le=5, description="For silence: its length.")


def pieces(
    duration: float, s: Settings, gaps: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    if s.mode == "time":
        count = max(1, math.ceil(duration / s.segment_s - 1e-9))
        return [(i * s.segment_s, min(duration, (i + 1) * s.segment_s)) for i in range(count)]
    if s.mode == "parts":
        step = duration / s.parts
        return [(i * step, (i + 1) * step) for i in range(s.parts)]
    cuts = [0.0, *[(a + b) / 2 for a, b in gaps if a > 0 and b < duration], duration]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b - a > 0.05]


@tool(
    "audio",
    "split-audio",
    name="Split Audio",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("application/zip",),
    slow=True,
    pipeline=False,
)
def split_audio(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut a sound into pieces, in a ZIP: of segmentS seconds each (time), into a number
    of equal parts (parts), or at every silence below thresholdDb lasting minSilenceS
    (silence: the cut is in the middle of the silence). At most 200 pieces."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    gaps: list[tuple[float, float]] = []
    if settings.mode == "silence":
        levels = avaudio.envelope(inp.path, limits=ctx.limits, rate=LEVELS_PER_S)
        gaps = avaudio.silences(
            levels,
            rate=LEVELS_PER_S,
            threshold_db=settings.threshold_db,
            min_seconds=settings.min_silence_s,
        )
    spans = pieces(facts.duration, settings, gaps)
    if len(spans) > MAX_PIECES:
        raise avedit.TooLarge(f"That makes {len(spans)} pieces; at most {MAX_PIECES}.")
    profile = avencode.audio_profile(inp.media_type)
    outputs: list[OutputFile] = []
    for i, (start, end) in enumerate(spans):
        out = ctx.output(f"{inp.stem}-{i + 1:03d}.{profile.extension}", profile.media_type)
        avedit.transcode(
            inp.path,
            out.path,
            profile,
            limits=ctx.limits,
            video=None,
            start=start,
            end=end,
            name=inp.name,
        )
        outputs.append(out)
        ctx.progress(round((i + 1) * 100 / len(spans)))
    data = {"pieces": [{"start_s": round(a, 3), "end_s": round(b, 3)} for a, b in spans]}
    return ToolResult(outputs, data=data)
