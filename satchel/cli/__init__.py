"""The `satchel` command line."""
