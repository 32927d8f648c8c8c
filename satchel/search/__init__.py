"""Search: keyword, semantic (WordLlama embeddings) and hybrid search over what is known
about assets; near-duplicates by perceptual hash."""
