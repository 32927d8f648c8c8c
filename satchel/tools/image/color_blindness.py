"""Colour blindness simulation with published matrices, applied in linear light.

Sources:
- protanopia, deuteranopia, tritanopia (severity 1.0) and protanomaly, deuteranomaly,
  tritanomaly (severity 0.6): Machado, Oliveira & Fernandes (2009), "A Physiologically-
  based Model for Simulation of Color Vision Deficiency", IEEE TVCG 15(6), doi:
  10.1109/TVCG.2009.113; the matrices of the authors' supplementary page
  (inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation), which act on linear RGB.
- achromatopsia (rod monochromacy): relative luminance, ITU-R BT.709 weights on linear RGB.
- blue cone monochromacy: only the S-cone response is left, the S row of the Hunt–Pointer–
  Estévez RGB→LMS matrix normalised to D65 (as in J. Schmitz, "Color Blindness Simulation
  Research", ixora.io, 2016), shown as grey.
"""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field

from satchel.media import drawing, imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

Simulation = Literal[
    "protanopia", "deuteranopia", "tritanopia", "protanomaly", "deuteranomaly",
    "tritanomaly", "achromatopsia", "blueConeMonochromacy",
]  # fmt: skip

MATRICES: dict[str, list[list[float]]] = {
    # Machado et al. 2009, severity 1.0
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
    # Machado et al. 2009, severity 0.6
    "protanomaly": [
        [0.385450, 0.769005, -0.154455],
        [0.100526, 0.829802, 0.069673],
        [-0.007442, -0.022190, 1.029632],
    ],
    "deuteranomaly": [
        [0.498864, 0.674741, -0.173604],
        [0.205199, 0.754872, 0.039929],
        [-0.011131, 0.030969, 0.980162],
    ],
    "tritanomaly": [
        [1.104996, -0.046633, -0.058363],
        [-0.032137, 0.971635, 0.060503],
        [0.001336, 0.317922, 0.680742],
    ],
    # BT.709 relative luminance, on every channel
    "achromatopsia": [[0.2126, 0.7152, 0.0722]] * 3,
    # S-cone response (Hunt–Pointer–Estévez, D65-normalised), on every channel
    "blueConeMonochromacy": [[0.01775239, 0.10944209, 0.87256922]] * 3,
}


class Settings(ToolSettings):
    simulation_type: Simulation = Field(
        "deuteranomaly",
        description="The colour vision to simulate: the -opia types are dichromacy "
        "(Machado 2009, severity 1.0), the -omaly types anomalous trichromacy (severity 0.6), "
        "achromatopsia and blueConeMonochromacy are monochromacy.",
    )
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def simulate(rgb: pyvips.Image, kind: str) -> pyvips.Image:
    """sRGB in, sRGB out; the matrix acts on linear RGB."""
    linear = rgb.colourspace("scrgb")
    mixed = linear.recomb(pyvips.Image.new_from_array(MATRICES[kind]))
    clipped = (mixed < 0).ifthenelse(0, (mixed > 1).ifthenelse(1, mixed))
    return clipped.copy(interpretation="scrgb").colourspace("srgb")


@tool("image", "color-blindness", name="Color Blindness Simulation", settings=Settings)
def color_blindness(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Show how an image looks with a colour vision deficiency: protanopia, deuteranopia,
    tritanopia, protanomaly, deuteranomaly, tritanomaly (Machado et al. 2009 matrices),
    achromatopsia or blue cone monochromacy."""
    inp = inputs.first
    rgb, alpha = drawing.split(imaging.load_input(inp))
    out = drawing.join(simulate(rgb, settings.simulation_type), alpha)
    fmt = out_format(settings.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)])
