"""HTML to image: a screenshot of a public web page, taken by a headless Chromium."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field

from satchel.tools.base import (
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)
from satchel.tools.image import _net
from satchel.tools.image._common import check_dimensions, save

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright drives it over CDP
NAVIGATION_MS = 30_000
SETTLE_MS = 2_000  # after `load`, how long to wait for the network to go quiet
PRESETS: dict[str, tuple[int, int, bool]] = {  # width, height, mobile
    "desktop": (1280, 720, False),
    "tablet": (768, 1024, True),
    "mobile": (375, 667, True),
}
_ARGS = [
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--dns-prefetch-disable",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]


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


def available() -> str | None:
    if not CHROMIUM.is_file():
        return f"Chromium is not installed ({CHROMIUM}; apt-get install chromium)."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "The playwright package is not installed."
    return None


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


def _refuse(exc: _net.Refused) -> ToolError:
    return ToolError(exc.message, code=exc.code)


def _guard_route(blocked: list[dict[str, str]]) -> Any:
    """A route handler that lets only public http(s) (and data/blob) requests through."""

    def handle(route: Any) -> None:
        url = route.request.url
        scheme = url.split(":", 1)[0].lower()
        if scheme in ("data", "blob", "about"):
            route.continue_()
            return
        try:
            _net.check_url(url)
        except _net.Refused as exc:
            if len(blocked) < 200:
                blocked.append({"target": url[:500], "reason": exc.message, "code": exc.code})
            route.abort("blockedbyclient")
            return
        route.continue_()

    return handle


def _target(url: str) -> str:
    """How the proxy names a request: the URL for http, host:port for https tunnels."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return f"{parts.hostname}:{parts.port or 443}"
    return url


def _page_refusals(proxy: _net.GuardProxy, requested: set[str]) -> list[dict[str, str]]:
    """The proxy's refusals of requests the page made (not the browser's own traffic)."""
    return [r for r in proxy.refused if r["target"] in requested]


def capture(settings: Settings, ctx: ToolContext) -> tuple[bytes, dict[str, Any]]:
    """The PNG screenshot and facts about the capture."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import FloatRect, sync_playwright

    url = settings.url.strip()
    try:
        _net.check_url(url)
    except _net.Refused as exc:
        raise _refuse(exc) from exc
    width, height, mobile = viewport(settings)
    blocked: list[dict[str, str]] = []
    with _net.GuardProxy() as proxy, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=_ARGS,
            proxy={"server": proxy.url, "bypass": "<-loopback>"},
        )
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                is_mobile=mobile,
                has_touch=mobile,
                service_workers="block",
                accept_downloads=False,
                ignore_https_errors=False,
            )
            context.route("**/*", _guard_route(blocked))
            requested: set[str] = set()  # what the page asked for (redirect hops included)
            context.on("request", lambda request: requested.add(_target(request.url)))
            page = context.new_page()
            ctx.progress(20, "Loading the page")
            try:
                response = page.goto(url, wait_until="load", timeout=NAVIGATION_MS)
            except PlaywrightError as exc:
                first = (blocked + _page_refusals(proxy, requested))[:1]
                if first:
                    raise ToolError(
                        f"The page was refused: {first[0]['reason']}", code=first[0]["code"]
                    ) from exc
                message = str(exc).strip().splitlines()[0][:300]
                code = "capture_timeout" if "Timeout" in message else "capture_failed"
                raise ToolError(f"The page could not be loaded: {message}", code=code) from exc
            if response is not None and response.headers.get("x-satchel-refused"):
                # our proxy's answer, if it logged refusing this very URL (a page cannot fake it)
                final = _target(response.url)
                refusal = next((r for r in proxy.refused if r["target"] == final), None)
                if refusal is not None:
                    raise ToolError(
                        f"The page was refused: {refusal['reason']}", code=refusal["code"]
                    )
            with contextlib.suppress(PlaywrightError):  # a page that keeps polling: as it is
                page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
            ctx.progress(70, "Taking the screenshot")
            shot_height, truncated = height, False
            if settings.full_page:
                full = int(page.evaluate("() => document.documentElement.scrollHeight") or height)
                limit = min(ctx.limits.max_image_edge, ctx.limits.max_image_pixels // width)
                shot_height, truncated = max(height, min(full, limit)), full > limit
            check_dimensions(width, shot_height, ctx)
            if settings.full_page:
                clip: FloatRect = {"x": 0, "y": 0, "width": width, "height": shot_height}
                png = page.screenshot(type="png", full_page=True, clip=clip)
            else:
                png = page.screenshot(type="png")
            facts = {
                "url": url,
                "finalUrl": page.url,
                "status": response.status if response is not None else None,
                "title": page.title()[:500],
                "viewport": {"width": width, "height": height},
                "truncated": truncated,
                "blockedRequests": (blocked + _page_refusals(proxy, requested))[:50],
            }
        finally:
            browser.close()
    return png, facts


@tool(
    "image",
    "html-to-image",
    name="HTML to Image",
    settings=Settings,
    inputs=InputSpec(min_files=0, max_files=0),
    slow=True,
    pipeline=False,
    availability=available,
    memory_limit=False,  # Chromium reserves gigabytes of address space it never uses
)
def html_to_image(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Capture a public web page as PNG, JPEG or WebP (JSON body with `url`; runs in the
    background, answers 202). Viewport from a device preset or custom, optionally the
    full scrollable page. Only public http(s) addresses are loaded: loopback, private,
    link-local (cloud metadata), CGNAT and other non-public addresses, DNS names resolving
    to them and redirects to them are refused for the page and for every request it makes
    (`url_not_allowed`); refused subresources are listed in `blockedRequests`."""
    png, facts = capture(settings, ctx)
    import pyvips

    image = pyvips.Image.new_from_buffer(png, "")
    width, height = facts["viewport"]["width"], facts["viewport"]["height"]
    if settings.full_page:
        height = image.height
    if (image.width, image.height) != (width, height):
        # mobile emulation scales the page and may round a pixel off: exactly the viewport
        image = image.gravity("north-west", width, height, extend="copy")
    fmt = "jpg" if settings.format in ("jpg", "jpeg") else settings.format
    out = save(image, ctx, "screenshot", fmt, quality=settings.quality, strip=True)
    return ToolResult([out], {**facts, "width": image.width, "height": image.height})
