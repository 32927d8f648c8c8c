"""Large and resumable uploads: multipart with presigned parts (Khaos) and tus 1.0.0."""
