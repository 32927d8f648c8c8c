"""Video tools: one module per tool, on the av engines (PyAV and its bundled FFmpeg)."""
