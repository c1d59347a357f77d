"""The bundled corpus: the top-level corpus/ folder, shipped in wheels as cadrecast._corpus_data."""
