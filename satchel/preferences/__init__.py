"""Runtime settings people change through the API (`/settings`), unlike `SATCHEL_*` config."""
