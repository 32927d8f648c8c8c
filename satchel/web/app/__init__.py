"""The web app: first run, sign-in, the library, and /api/docs, rendered on the server."""

from fastapi import APIRouter

from satchel.web.app import docs, library, signin

router = APIRouter(include_in_schema=False)
for _part in (docs.router, signin.router, library.router):
    router.include_router(_part)

__all__ = ["router"]
