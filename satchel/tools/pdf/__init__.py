"""PDF tools: one module per tool, on PDFium (pypdfium2), pikepdf and img2pdf."""
