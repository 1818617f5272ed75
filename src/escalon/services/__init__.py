"""escalon.services."""
