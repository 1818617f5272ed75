"""The FastAPI application factory; `escalon serve` and the tests build the app from a Service."""

from __future__ import annotations

from fastapi import FastAPI

from escalon import __version__
from escalon.bootstrap import Service
from escalon.entrypoints.api import problems
from escalon.entrypoints.api.importer_routes import WebhookConfig, webhook_router
from escalon.entrypoints.api.routes import approvals, events, ops, policy, tickets


def create_app(service: Service) -> FastAPI:
    """An app serving `service`; the caller owns the service's lifetime."""
    app = FastAPI(
        title="escalon",
        version=__version__,
        description="Escalation management for customer-support operations.",
    )
    app.state.service = service
    problems.install(app)
    for module in (events, tickets, approvals, policy, ops):
        app.include_router(module.router)
    app.include_router(webhook_router(WebhookConfig.from_settings(service.settings)))
    return app
