"""Running tools and pipelines: requests, workspaces, batches, queued runs, and the
sandbox every run executes in (the tools themselves are the pure catalog in `tools`)."""
