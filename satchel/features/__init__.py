"""Features: the optional engines (OCR languages, speech models, faces, segmentation,
upscaling, moderation, office, Chromium), whether each is installed, and installing the
ones that are Python packages as jobs (`GET /features`, `/admin/features/...`)."""
