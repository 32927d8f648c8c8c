"""The web app: first run, sign-in, the library, and /api/docs, rendered on the server.
Each module's router is included by `satchel/api/app.py`."""
