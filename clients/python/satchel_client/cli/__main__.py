"""`python -m satchel_client.cli` is the `satchel` command."""

from satchel_client.cli.main import main

main()
