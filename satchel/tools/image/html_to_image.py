"""HTML to image: a screenshot of a public web page, taken by a headless Chromium."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import browser, imaging
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

PRESETS: dict[str, tuple[int, int, bool]] = {  # width, height, mobile
    "desktop": (1280, 720, False),
    "tablet": (768, 1024, True),
    "mobile": (375, 667, True),
}


class Settings(ToolSettings):
    url: str = Field(
        ..., min_length=1, max_length=4096, description="The page to capture (http/https)."
    )
    format: Literal["png", "jpg", "jpeg", "webp"] = Field("png", description="Output format.")
    quality: int = Field(90, ge=1, le=100, description="Quality for jpg and webp.")
    full_page: bool = Field(
        False, description="Capture the whole scrollable page (cut at the image size limits)."
    )
    device_preset: Literal["desktop", "tablet", "mobile", "custom"] = Field(
        "desktop",
        description="desktop 1280×720, tablet 768×1024, mobile 375×667 (mobile and tablet "
        "as touch devices), custom: viewportWidth × viewportHeight.",
    )
    viewport_width: int = Field(
        1280, ge=320, le=3840, description="Viewport width (custom, or to override a preset)."
    )
    viewport_height: int = Field(
        720, ge=320, le=2160, description="Viewport height (custom, or to override a preset)."
    )


def viewport(settings: Settings) -> tuple[int, int, bool]:
    if settings.device_preset == "custom":
        return settings.viewport_width, settings.viewport_height, False
    width, height, mobile = PRESETS[settings.device_preset]
    chosen = settings.model_fields_set
    if "viewport_width" in chosen:
        width = settings.viewport_width
    if "viewport_height" in chosen:
        height = settings.viewport_height
    return width, height, mobile


@tool(
    "image",
    "html-to-image",
    name="HTML to Image",
    settings=Settings,
    inputs=InputSpec(min_files=0, max_files=0),
    slow=True,
    pipeline=False,
    availability=browser.available,
    memory_limit=False,  # Chromium reserves gigabytes of address space it never uses
)
def html_to_image(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Capture a public web page as PNG, JPEG or WebP (JSON body with `url`; runs in the
    background, answers 202). Viewport from a device preset or custom, optionally the
    full scrollable page. Only public http(s) addresses are loaded: loopback, private,
    link-local (cloud metadata), CGNAT and other non-public addresses, DNS names resolving
    to them and redirects to them are refused for the page and for every request it makes
    (`url_not_allowed`); refused subresources are listed in `blockedRequests`."""
    width, height, mobile = viewport(settings)
    with browser.open_page(
        settings.url, width=width, height=height, mobile=mobile, progress=ctx.progress
    ) as page:
        ctx.progress(70, "Taking the screenshot")
        png, truncated = browser.screenshot(
            page, width=width, height=height, full_page=settings.full_page, limits=ctx.limits
        )
        facts = {**page.facts(), "viewport": {"width": width, "height": height}}
    facts["truncated"] = truncated
    image = imaging.decode_bytes(png)
    if settings.full_page:
        height = image.height
    if (image.width, image.height) != (width, height):
        # mobile emulation scales the page and may round a pixel off: exactly the viewport
        image = image.gravity("north-west", width, height, extend="copy")
    fmt = "jpg" if settings.format in ("jpg", "jpeg") else settings.format
    out = imaging.save_output(image, ctx, "screenshot", fmt, quality=settings.quality, strip=True)
    return ToolResult([out], {**facts, "width": image.width, "height": image.height})
