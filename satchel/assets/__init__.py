"""Assets: reading, listing, editing, delivering and deleting stored files (uploads make them)."""
