"""escalon.analytics."""
