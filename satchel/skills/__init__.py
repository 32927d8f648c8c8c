"""Skills: AI runs on stored assets (OCR, transcripts, faces, tags, captions) and their
results."""
