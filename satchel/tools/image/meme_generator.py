"""Meme generator: outlined caption text on your image, or on a built-in plain template.

Fonts: the seed's families are not shipped; each maps to the closest installed face:

    anton            → DejaVu Sans Condensed Bold   (condensed, heavy)
    arial-black      → Liberation Sans Bold         (Arial's metric twin, bold)
    comic-sans       → DejaVu Sans                  (no casual script font is installed)
    montserrat       → DejaVu Sans Bold             (wide geometric-ish sans)
    bebas-neue       → Liberation Sans Narrow Bold  (tall, narrow)
    permanent-marker → DejaVu Sans Bold Oblique     (a slanted heavy hand)
    roboto           → Liberation Sans              (neo-grotesque)

Templates are plain canvases generated here (solid colours and gradients with named ids),
not copies of any meme picture; list them with `POST /tools/image/meme-generator/templates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyvips
from pydantic import Field, field_validator

from satchel.codes import Code
from satchel.media import drawing, imaging, typeset
from satchel.media.formats import Format, out_format
from satchel.media.typeset import Face
from satchel.tools.base import (
    Action,
    Inputs,
    InputSpec,
    NoSettings,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_LIBERATION = Path("/usr/share/fonts/truetype/liberation")
FACES: dict[str, Face] = {
    "anton": Face("DejaVu Sans Condensed Bold", _DEJAVU / "DejaVuSansCondensed-Bold.ttf"),
    "arial-black": Face("Liberation Sans Bold", _LIBERATION / "LiberationSans-Bold.ttf"),
    "comic-sans": Face("DejaVu Sans", _DEJAVU / "DejaVuSans.ttf"),
    "montserrat": Face("DejaVu Sans Bold", _DEJAVU / "DejaVuSans-Bold.ttf"),
    "bebas-neue": Face(
        "Liberation Sans Narrow Bold", _LIBERATION / "LiberationSansNarrow-Bold.ttf"
    ),
    "permanent-marker": Face("DejaVu Sans Bold Oblique", _DEJAVU / "DejaVuSans-BoldOblique.ttf"),
    "roboto": Face("Liberation Sans", _LIBERATION / "LiberationSans-Regular.ttf"),
}
FontFamily = Literal[
    "anton", "arial-black", "comic-sans", "montserrat", "bebas-neue", "permanent-marker", "roboto"
]  # fmt: skip
Layout = Literal["top-bottom", "top-only", "bottom-only", "center", "side-by-side"]
MIN_SIDE = 32
SLOTS: dict[str, tuple[str, ...]] = {
    "top-bottom": ("top", "bottom"),
    "top-only": ("top",),
    "bottom-only": ("bottom",),
    "center": ("center",),
    "side-by-side": ("left", "right"),
}


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str
    width: int
    height: int
    top: str  # colour at the top (or left half for two-panel)
    bottom: str  # colour at the bottom (or right half)
    layout: Layout = "top-bottom"

    def render(self) -> pyvips.Image:
        a, b = imaging.parse_color(self.top)[:3], imaging.parse_color(self.bottom)[:3]
        if self.layout == "side-by-side":
            left = pyvips.Image.black(self.width // 2, self.height) + a
            right = pyvips.Image.black(self.width - self.width // 2, self.height) + b
            image = left.join(right, "horizontal")
        else:
            t = pyvips.Image.xyz(self.width, self.height)[1] / max(1, self.height - 1)
            image = t * [bb - aa for aa, bb in zip(a, b, strict=True)] + a
        return image.cast("uchar").copy(interpretation="srgb")


TEMPLATES = {
    t.id: t
    for t in (
        Template("plain-white", "Plain white", "A white 800×800 square.", 800, 800, "#fff", "#fff"),
        Template("plain-black", "Plain black", "A black 800×800 square.", 800, 800, "#000", "#000"),
        Template(
            "gradient-sunset",
            "Sunset gradient",
            "A 1000×750 orange-to-purple vertical gradient.",
            1000,
            750,
            "#ff9a3c",
            "#5b2a86",
        ),
        Template(
            "gradient-ocean",
            "Ocean gradient",
            "A 1000×750 light-to-deep blue vertical gradient.",
            1000,
            750,
            "#6dd5ed",
            "#103a6e",
        ),
        Template(
            "two-panel",
            "Two panels",
            "A 1200×600 canvas split into a grey and a dark panel, for side-by-side text.",
            1200,
            600,
            "#8a8a8a",
            "#2b2b2b",
            "side-by-side",
        ),
    )
}


class TextBox(ToolSettings):
    id: str = Field("", max_length=64, description="Slot: top, bottom, center, left or right.")
    text: str = Field("", max_length=500, description="The caption.")


class Settings(ToolSettings):
    template_id: str | None = Field(
        None, max_length=64, description=f"A built-in template: {', '.join(TEMPLATES)}."
    )
    text_layout: Layout = Field(
        "top-bottom", description="Where captions go (a template has its own default)."
    )
    text_boxes: list[TextBox] = Field(
        default_factory=list,
        max_length=8,
        description="Captions [{id, text}]; ids name the layout's slots, others fill free "
        "slots in order.",
    )
    font_family: FontFamily = Field("anton", description="Caption font (see the mapping).")
    font_size: int | None = Field(
        None, ge=8, le=400, description="Font size in pixels; default: the largest that fits."
    )
    text_color: str = Field("#ffffff", description="Caption colour.")
    stroke_color: str = Field("#000000", description="Outline colour (#00000000 for none).")
    text_align: Literal["left", "center", "right"] = Field("center", description="Alignment.")
    all_caps: bool = Field(True, description="Upper-case the captions.")
    format: Format | None = Field(None, description="Output format; default: input's, or PNG.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _colours = field_validator("text_color", "stroke_color")(imaging.color_field)


def captions(s: Settings, slots: tuple[str, ...]) -> dict[str, str]:
    """Slot → text: boxes naming a slot go there, the others fill free slots in order."""
    boxes = [b for b in s.text_boxes if b.text.strip()]
    placed: dict[str, str] = {}
    loose: list[str] = []
    for box in boxes:
        key = box.id.strip().lower()
        if key in slots and key not in placed:
            placed[key] = box.text
        else:
            loose.append(box.text)
    for slot in slots:
        if slot not in placed and loose:
            placed[slot] = loose.pop(0)
    if loose:
        raise ToolError(
            f"The {s.text_layout} layout has {len(slots)} text slot(s) "
            f"({', '.join(slots)}); {len(boxes)} captions were sent.",
            code=Code.MEME_TOO_MANY_TEXT_BOXES,
        )
    if not placed:
        raise ToolError("Send at least one caption in textBoxes.", code=Code.MEME_TEXT_MISSING)
    return {k: (v.upper() if s.all_caps else v) for k, v in placed.items()}


def slot_box(slot: str, width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, width, height) of a caption slot."""
    m = max(4, round(min(width, height) * 0.04))
    band = max(8, round(height * 0.25))
    if slot == "top":
        return m, m, width - 2 * m, band
    if slot == "bottom":
        return m, height - band - m, width - 2 * m, band
    if slot == "center":
        return m, round(height * 0.3), width - 2 * m, round(height * 0.4)
    half = width // 2
    left = m if slot == "left" else half + m
    return left, round(height * 0.2), half - 2 * m, round(height * 0.6)


def caption_layer(
    text: str, box: tuple[int, int, int, int], s: Settings, ctx: ToolContext, *, cap: int
) -> tuple[pyvips.Image, int]:
    """The caption as an RGBA layer (outline included) and the outline's width. Without a
    fontSize the text gets the largest size that fits its slot, at most `cap` px."""
    _, _, w, h = box
    face = FACES[s.font_family]
    size: float
    if s.font_size is None:
        mask, size = typeset.fit_text(
            text, face=face, width=w, height=h, limits=ctx.limits, align=s.text_align
        )
        if size > cap:
            size = cap
            mask = typeset.render_text(
                text, face=face, size=cap, limits=ctx.limits, wrap_width=w, align=s.text_align
            )
    else:
        size = s.font_size
        mask = typeset.render_text(
            text, face=face, size=size, limits=ctx.limits, wrap_width=w, align=s.text_align
        )
    stroke = imaging.parse_color(s.stroke_color)
    width = max(1, round(size / 16)) if stroke[3] > 0 else 0
    return typeset.stroked(
        mask, imaging.parse_color(s.text_color), stroke if width else None, width
    ), width


def _slot(slot: str, width: int, height: int) -> dict[str, Any]:
    left, top, w, h = slot_box(slot, width, height)
    return {"id": slot, "left": left, "top": top, "width": w, "height": h}


def templates(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """The built-in templates with their text slots."""
    items = []
    for t in TEMPLATES.values():
        items.append(
            {
                "id": t.id,
                "name": t.name,
                "description": t.description,
                "width": t.width,
                "height": t.height,
                "text_layout": t.layout,
                "text_boxes": [_slot(slot, t.width, t.height) for slot in SLOTS[t.layout]],
            }
        )
    return ToolResult(data={"templates": items})


@tool(
    "image",
    "meme-generator",
    name="Meme Generator",
    settings=Settings,
    inputs=InputSpec(min_files=0, max_files=1),
    actions=(Action("templates", templates, description="List the built-in templates."),),
)
def meme_generator(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make a meme: outlined captions (top-bottom, top-only, bottom-only, center or
    side-by-side) on an uploaded image (multipart with `file`), or on a built-in plain
    template (JSON body with templateId: plain-white, plain-black, gradient-sunset,
    gradient-ocean, two-panel). The seed's fonts map to installed DejaVu/Liberation faces;
    the size is the largest that fits unless fontSize is given."""
    s = settings
    layout = s.text_layout
    if inputs.files and s.template_id:
        raise ToolError(
            "Send either a file or a templateId, not both.", code=Code.MEME_MODE_CONFLICT
        )
    if inputs.files:
        inp = inputs.first
        base, name, fmt = imaging.load_input(inp), inp.name, out_format(s.format, inp.media_type)
    elif s.template_id:
        template = TEMPLATES.get(s.template_id)
        if template is None:
            raise ToolError(
                f"No meme template {s.template_id!r}; there are {', '.join(TEMPLATES)}.",
                code=Code.MEME_TEMPLATE_NOT_FOUND,
            )
        base, name, fmt = template.render(), f"{template.id}.png", s.format or "png"
        if "text_layout" not in s.model_fields_set:
            layout = template.layout
    else:
        raise ToolError("Send an image (`file`) or a templateId.", code=Code.TOOL_INPUT_MISSING)
    if base.width < MIN_SIDE or base.height < MIN_SIDE:
        raise ToolError(
            f"The image ({base.width}×{base.height}) is too small for captions; it needs "
            f"{MIN_SIDE}×{MIN_SIDE} pixels at least.",
            code=Code.MEME_IMAGE_TOO_SMALL,
        )
    out = base
    for slot, text in captions(s.model_copy(update={"text_layout": layout}), SLOTS[layout]).items():
        left, top, w, h = slot_box(slot, out.width, out.height)
        cap = max(12, round(out.height * 0.15))
        layer, pad = caption_layer(text, (left, top, w, h), s, ctx, cap=cap)
        ink_w, ink_h = layer.width - 2 * pad, layer.height - 2 * pad
        x = left + {"left": 0, "center": (w - ink_w) // 2, "right": w - ink_w}[s.text_align]
        y = top + {"top": 0, "bottom": h - ink_h}.get(slot, (h - ink_h) // 2)
        # keep the outline inside the picture when the caption fits at all
        x = max(0, min(x - pad, out.width - layer.width)) if layer.width <= out.width else x - pad
        y = (
            max(0, min(y - pad, out.height - layer.height))
            if layer.height <= out.height
            else y - pad
        )
        out = drawing.overlay(out, layer, x, y)
    return ToolResult([imaging.save_output(out, ctx, name, fmt, quality=s.quality)])
