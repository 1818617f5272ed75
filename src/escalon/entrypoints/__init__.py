"""escalon.entrypoints."""
