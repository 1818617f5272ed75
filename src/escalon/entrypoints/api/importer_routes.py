"""Webhook endpoints for Zendesk and Jira: verify, translate with the importers' rules, ingest.

Each request needs an escalon integration token (bearer, `events:ingest`), and the vendor's
signature is checked on the raw body before anything is parsed. The app always includes the
router (`WebhookConfig.from_settings`); a vendor without a configured secret and mapping answers
404.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from escalon.adapters.importers.mapping import ImportMapping, load_mapping
from escalon.adapters.importers.webhooks import (
    WebhookRejected,
    jira_events,
    parse_body,
    verify_hub_signature,
    verify_zendesk,
    zendesk_events,
)
from escalon.domain.events import Event
from escalon.entrypoints.api.deps import Ingesting, ServiceDep
from escalon.entrypoints.api.schemas import IngestOut
from escalon.services.errors import ServiceError
from escalon.settings import Settings, load_settings


class WebhookUnauthorized(ServiceError):
    status = 401
    title = "Webhook not authentic"


class WebhookNotConfigured(ServiceError):
    status = 404
    title = "Webhook not configured"


@dataclass(frozen=True)
class WebhookSource:
    secret: str
    mapping: ImportMapping


@dataclass(frozen=True)
class WebhookConfig:
    """Which vendors may call in; a vendor without a secret and a mapping is refused (404)."""

    zendesk: WebhookSource | None = None
    jira: WebhookSource | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookConfig:
        """The vendors whose secret and mapping are set; a mapping that does not load fails here,
        at start, with its `FILE:LINE` errors."""

        def source(vendor: str) -> WebhookSource | None:
            secret = getattr(settings, f"{vendor}_webhook_secret")
            mapping = getattr(settings, f"{vendor}_mapping")
            if secret is None or mapping is None:
                return None
            return WebhookSource(secret.get_secret_value(), load_mapping(mapping))

        return cls(zendesk=source("zendesk"), jira=source("jira"))

    @classmethod
    def from_env(cls) -> WebhookConfig:
        return cls.from_settings(load_settings())


def webhook_router(config: WebhookConfig) -> APIRouter:
    router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

    async def ingest(events: list[Event], service: ServiceDep, caller: Ingesting) -> IngestOut:
        if not events:
            return IngestOut(received=0, stored=0, duplicates=0, decisions=0)
        result = await run_in_threadpool(
            service.ingestor.ingest, events, caller, service.clock(), batch=True
        )
        return IngestOut.model_validate(result)

    @router.post("/zendesk", response_model=IngestOut)
    async def zendesk(request: Request, service: ServiceDep, caller: Ingesting) -> IngestOut:
        """A Zendesk ticket event webhook, signed with `X-Zendesk-Webhook-Signature`."""
        source = config.zendesk
        if source is None:
            raise WebhookNotConfigured("no Zendesk webhook secret and mapping are configured")
        body = await request.body()
        try:
            verify_zendesk(
                body,
                signature=request.headers.get("X-Zendesk-Webhook-Signature"),
                timestamp=request.headers.get("X-Zendesk-Webhook-Signature-Timestamp"),
                secret=source.secret,
                now=service.clock(),
            )
        except WebhookRejected as err:
            raise WebhookUnauthorized(str(err), field="X-Zendesk-Webhook-Signature") from None
        try:
            events = zendesk_events(parse_body(body), source.mapping)
        except WebhookRejected as err:
            raise ServiceError(str(err), field="/") from None
        return await ingest(events, service, caller)

    @router.post("/jira", response_model=IngestOut)
    async def jira(request: Request, service: ServiceDep, caller: Ingesting) -> IngestOut:
        """A Jira issue webhook, signed with `X-Hub-Signature` (the webhook's secret)."""
        source = config.jira
        if source is None:
            raise WebhookNotConfigured("no Jira webhook secret and mapping are configured")
        body = await request.body()
        try:
            verify_hub_signature(
                body, signature=request.headers.get("X-Hub-Signature"), secret=source.secret
            )
        except WebhookRejected as err:
            raise WebhookUnauthorized(str(err), field="X-Hub-Signature") from None
        try:
            events = jira_events(parse_body(body), source.mapping)
        except WebhookRejected as err:
            raise ServiceError(str(err), field="/") from None
        return await ingest(events, service, caller)

    return router
