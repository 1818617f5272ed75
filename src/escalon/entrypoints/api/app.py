"""The FastAPI application factory; `escalon serve` and the tests build the app from a Service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from escalon import __version__
from escalon.bootstrap import Service
from escalon.entrypoints.api import problems
from escalon.entrypoints.api.fast_path import SingleEventFastPath
from escalon.entrypoints.api.importer_routes import WebhookConfig, webhook_router
from escalon.entrypoints.api.routes import approvals, events, ops, policy, tickets
from escalon.services.group_commit import GroupCommitter


def create_app(service: Service) -> FastAPI:
    """An app serving `service`; the caller owns the service's lifetime.

    Single-event ingestion goes through one group-commit writer per app (its thread starts
    with the first such request); shutting the app down writes what is queued and stops it.
    """
    committer = GroupCommitter(
        service.ingestor,
        service.clock,
        max_group=service.settings.ingest_group_max,
        writers=1 if service.db.dialect.name == "sqlite" else 2,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            committer.close()

    app = FastAPI(
        title="escalon",
        version=__version__,
        description="Escalation management for customer-support operations.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.group_committer = committer
    problems.install(app)
    app.add_middleware(SingleEventFastPath)
    for module in (events, tickets, approvals, policy, ops):
        app.include_router(module.router)
    app.include_router(webhook_router(WebhookConfig.from_settings(service.settings)))
    return app
