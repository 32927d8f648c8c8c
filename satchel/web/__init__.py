"""Server-rendered share pages: spaces, profiles, their covers, and the legacy redirects."""

from satchel.web.pages import router

__all__ = ["router"]
