"""AI tools: OCR, speech, faces, segmentation and the classical stand-ins, on models that
ship inside installed packages (`satchel.media.ml`). Each declares its own section."""
