"""The HTTP API: app factory, envelope, dependencies and the routers' assembly."""
