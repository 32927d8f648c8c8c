"""`satchel`, the remote command line: talks to a Satchel server through the SDK.

Installed alone with `uv tool install "satchel-client[cli]"` (or pip); next to the server
package, the same `satchel` command also has the local admin commands (serve, migrate, …).
"""
