"""Seeded simulation of a support organisation, emitting canonical events."""
