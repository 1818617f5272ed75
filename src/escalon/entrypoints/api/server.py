"""The uvicorn factory for `escalon serve`: each API process wires its own service."""

from __future__ import annotations

from fastapi import FastAPI

from escalon.bootstrap import bootstrap
from escalon.entrypoints.api.app import create_app


def app() -> FastAPI:
    """Build the app from the environment (ESCALON_*), once per process."""
    return create_app(bootstrap())
