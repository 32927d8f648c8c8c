"""Background jobs: records with progress, a durable huey queue, and worker threads."""
