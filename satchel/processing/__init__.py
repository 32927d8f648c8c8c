"""Asset processing: metadata extraction and derivatives (thumbnails, previews, text)."""
