"""Barcode generator: Code 128, EAN-13, UPC-A, Code 39, ITF-14 and Data Matrix as PNG."""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pyvips
from pydantic import Field, ValidationInfo, field_validator

from satchel.codes import Code
from satchel.media import imaging
from satchel.tools.base import (
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

BarcodeType = Literal["code128", "ean13", "upca", "code39", "itf14", "datamatrix"]

_CODE39 = re.compile(r"^[0-9A-Z \-.$/+%]+$")
# (digits without check digit, name) for the GTIN family
_GTIN = {"ean13": (12, "EAN-13"), "upca": (11, "UPC-A"), "itf14": (13, "ITF-14")}
_MAX_LENGTH = {"code128": 80, "code39": 80, "datamatrix": 1500}


def gtin_check_digit(digits: str) -> int:
    """The GS1 check digit of the digits before it (weights 3, 1, 3, … from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def check_text(kind: str, text: str) -> str:
    """The text if it can be encoded as `kind`, else a ValueError saying why."""
    if kind in _GTIN:
        body, name = _GTIN[kind]
        if not text.isascii() or not text.isdigit():
            raise ValueError(f"{name} takes digits only")
        if len(text) not in (body, body + 1):
            raise ValueError(
                f"{name} takes {body} digits (the check digit is added) or {body + 1} "
                f"digits ending in the check digit; got {len(text)}"
            )
        if len(text) == body + 1:
            expected = gtin_check_digit(text[:-1])
            if int(text[-1]) != expected:
                raise ValueError(
                    f"the {name} check digit is wrong: {text[:-1]} ends in {expected}, "
                    f"not {text[-1]}"
                )
        return text
    limit = _MAX_LENGTH[kind]
    if len(text) > limit:
        raise ValueError(f"{kind} takes at most {limit} characters here")
    if kind == "code128" and not all(32 <= ord(c) < 127 for c in text):
        raise ValueError("code128 takes printable ASCII characters only")
    if kind == "code39" and not _CODE39.match(text):
        raise ValueError("code39 takes A–Z (upper case), 0–9, space and - . $ / + % only")
    if kind == "datamatrix" and len(text.encode("utf-8")) > limit:
        raise ValueError(f"datamatrix takes at most {limit} bytes here")
    return text


class Settings(ToolSettings):
    type: BarcodeType = Field("code128", description="Symbology.")
    text: str = Field(
        ...,
        min_length=1,
        max_length=1500,
        description="What to encode. EAN-13/UPC-A/ITF-14: digits, with or without the check "
        "digit (a wrong one is refused). Code 39: A–Z, 0–9, space and -.$/+%. Code 128: "
        "printable ASCII. Data Matrix: any text (UTF-8).",
    )
    scale: int = Field(3, ge=1, le=8, description="Pixels per module (bar width unit), 1–8.")
    include_text: bool = Field(
        True, description="Print the human-readable text under linear codes."
    )

    @field_validator("text")
    @classmethod
    def _encodable(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("type")
        return check_text(kind, value) if isinstance(kind, str) else value


_FORMATS = {
    "code128": "Code128",
    "ean13": "EAN13",
    "upca": "UPCA",
    "code39": "Code39",
    "itf14": "ITF14",
    "datamatrix": "DataMatrix",
}


def render(kind: str, text: str, *, scale: int, include_text: bool) -> pyvips.Image:
    import zxingcpp

    fmt = getattr(zxingcpp.BarcodeFormat, _FORMATS[kind])
    try:
        options = {"force_square": True} if kind == "datamatrix" else {}
        code = zxingcpp.create_barcode(text, fmt, **options)
    except ValueError as exc:  # zxing's own checks, in case ours let something through
        raise ToolError(
            f"This text cannot be a {kind} barcode: {exc}", code=Code.BARCODE_INVALID_TEXT
        ) from exc
    hrt = include_text and kind != "datamatrix"
    return imaging.from_array(
        np.asarray(zxingcpp.write_barcode_to_image(code, scale=scale, add_hrt=hrt))
    )


@tool(
    "image",
    "barcode-generate",
    name="Barcode Generator",
    settings=Settings,
    inputs=InputSpec(min_files=0, max_files=0),
    pipeline=False,
)
def barcode_generate(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make a barcode PNG (JSON body, no file): Code 128, EAN-13, UPC-A, Code 39, ITF-14 or
    Data Matrix, 1–8 pixels per module, with the human-readable text under linear codes.
    Lengths, characters and check digits are checked per type (a missing GTIN check digit
    is added)."""
    image = render(
        settings.type, settings.text, scale=settings.scale, include_text=settings.include_text
    )
    out = imaging.save_output(image, ctx, f"barcode-{settings.type}.png", "png")
    data = {"type": settings.type, "width": image.width, "height": image.height}
    return ToolResult([out], data)
