"""Assets: uploads, listing, metadata, content delivery and deletion."""
