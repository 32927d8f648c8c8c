"""Image tools: one module per tool, on libvips (pillow-heif for HEIC)."""
