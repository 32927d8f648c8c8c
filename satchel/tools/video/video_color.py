"""Video Color: brightness, contrast, saturation and gamma."""

from __future__ import annotations

from pydantic import Field, model_validator

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    brightness: float = Field(0.0, ge=-1, le=1, description="Added to the luma (-1 to 1).")
    contrast: float = Field(1.0, ge=0, le=4, description="Luma contrast around mid-grey.")
    saturation: float = Field(1.0, ge=0, le=3, description="Colour saturation (0: grey).")
    gamma: float = Field(1.0, ge=0.1, le=10, description="Gamma of the luma.")

    @model_validator(mode="after")
    def _changes(self) -> Settings:
        if (self.brightness, self.contrast, self.saturation, self.gamma) == (0, 1, 1, 1):
            raise ValueError("change at least one of brightness, contrast, saturation, gamma")
        return self


def chain(s: Settings) -> avedit.Chain:
    luma = (
        f"y=clip(pow(clip((val/255-0.5)*{s.contrast}+0.5+{s.brightness},0,1),"
        f"1/{s.gamma})*255,0,255)"
    )
    steps: list[tuple[str, str]] = [("format", "yuv420p"), ("lutyuv", luma)]
    if s.saturation != 1:
        steps.append(("hue", f"s={s.saturation}"))
    return steps


@tool(
    "video",
    "video-color",
    name="Video Color",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def video_color(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Adjust brightness (-1 to 1), contrast (0–4), saturation (0–3) and gamma (0.1–10).
    The bundled FFmpeg has no `eq` filter: luma is mapped through a lookup table
    (`lutyuv`) and saturation set with `hue`, which is what `eq` computes."""
    inp = inputs.first
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-color.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=chain(settings),
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
