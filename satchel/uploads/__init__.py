"""Uploads, every mode through one ingest: form, inline base64, signed PUT, multipart, tus."""
