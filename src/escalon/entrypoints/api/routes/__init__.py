"""Routers of the API, one per area."""
