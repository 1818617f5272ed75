"""escalon.adapters."""
