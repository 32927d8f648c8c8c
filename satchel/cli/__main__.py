"""`python -m satchel.cli` is the `satchel` command."""

from satchel.cli.main import app

app()
