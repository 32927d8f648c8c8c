"""The FastAPI application: routers under /api/v1 (and /v1), handlers, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response

from satchel import __version__
from satchel.api import errors
from satchel.api.envelope import ERROR_RESPONSES
from satchel.assets.router import router as assets_router
from satchel.config import Settings, get_settings
from satchel.runtime import Runtime, start

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(responses=ERROR_RESPONSES)
    router.include_router(assets_router)
    return router


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; the runtime (database, blobs) starts with the app's lifespan."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        app.state.runtime = runtime or start(settings)
        try:
            yield
        finally:
            if own:
                app.state.runtime.close()

    app = FastAPI(
        title="Satchel",
        version=__version__,
        summary="Stores, understands, transforms and shares files.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    errors.install(app)
    routes = api_router()
    app.include_router(routes, prefix=API_PREFIX)
    # The seeds use both /api/v1 and /v1; the second is an alias, left out of the document.
    app.include_router(routes, prefix="/v1", include_in_schema=False)

    @app.get(f"{API_PREFIX}/health", tags=["health"], summary="Liveness and database status")
    @app.get("/v1/health", include_in_schema=False)
    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        ok = app.state.runtime.db.ping()
        body = {"status": "healthy" if ok else "unhealthy", "version": __version__}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get(f"{API_PREFIX}/openapi.yaml", include_in_schema=False)
    def openapi_yaml() -> Response:
        import yaml

        return Response(
            yaml.safe_dump(app.openapi(), sort_keys=False), media_type="application/yaml"
        )

    return app
