"""Jinja2 rendering of the share pages, with the headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

# Autoescape everything, whatever the file is called: every string a user wrote goes
# through these templates.
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

NO_STORE = "no-store"
SHORT_CACHE = "public, max-age=60"


def web_link(url: object) -> str | None:
    """The URL when it is an absolute http(s) link, else None: nothing else is rendered."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def origin(base: str) -> str:
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(base: str) -> dict[str, str]:
    # Pictures and sound come from this service; when a base URL is configured they come
    # from that origin, which may not be the one the page was asked at.
    own = f"'self' {origin(base)}"
    policy = "; ".join(
        (
            "default-src 'none'",
            f"img-src {own} data:",
            f"media-src {own}",
            "style-src 'unsafe-inline'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


def page(
    template: str,
    *,
    base: str,
    status: int = 200,
    cache: str = SHORT_CACHE,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    html = _env.get_template(template).render(web_link=web_link, **context)
    # Pages name their own origin (og tags, CSP): a cache must not share them across hosts.
    all_headers = {
        **security_headers(base),
        "Cache-Control": cache,
        "Vary": "Host",
        **(headers or {}),
    }
    return HTMLResponse(html, status_code=status, headers=all_headers)


def not_found(base: str) -> HTMLResponse:
    """The one 404 page: unknown, private and not-public all look exactly like this."""
    return page("not_found.html", base=base, status=404, cache=NO_STORE)
