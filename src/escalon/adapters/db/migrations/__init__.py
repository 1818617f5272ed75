"""Alembic migrations of the escalon schema, shipped inside the package."""
