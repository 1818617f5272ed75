"""The uvicorn factory for `escalon serve`: each API process wires its own service."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from escalon.bootstrap import bootstrap
from escalon.entrypoints.api.app import create_app


def app() -> FastAPI:
    """Build the app from the environment (ESCALON_*), once per process.

    What start-up built (modules, the app, its routes and schemas) lives as long as the process:
    frozen out of the garbage collector, it is no longer scanned by every full collection. Those
    scans paused the process for tens of milliseconds and were most of the API's p99 latency.
    """
    built = create_app(bootstrap())
    gc.collect()
    gc.freeze()
    return built
