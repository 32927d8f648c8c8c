"""The file library: files with version chains, over the asset store."""
