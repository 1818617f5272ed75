"""Probes, Prometheus metrics and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, PlainTextResponse

from escalon.adapters.db.migrate import current_revision, head_revision
from escalon.entrypoints.api.deps import ServiceDep, may
from escalon.entrypoints.api.problems import problem
from escalon.entrypoints.api.schemas import AuditOut
from escalon.services.queries import service_metrics

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers (liveness); needs no token so probes carry no secret."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(service: ServiceDep) -> dict[str, str] | JSONResponse:
    """The database answers, its schema is current and a policy is active (readiness)."""
    try:
        revision = current_revision(service.db)
        with service.uow(read_only=True) as uow:
            active = uow.policies.active()
    except Exception as error:  # any database failure means "not ready", never a 500
        return problem(503, "Not ready", f"database unavailable: {error}", instance="/readyz")
    if revision != head_revision():
        detail = f"schema at {revision}, expected {head_revision()}: run `escalon db upgrade`"
        return problem(503, "Not ready", detail, instance="/readyz")
    if active is None:
        return problem(503, "Not ready", "no policy is active", instance="/readyz")
    return {"status": "ready", "schema": revision or "", "policy": str(active["version"])}


@router.get("/metrics", response_class=PlainTextResponse, dependencies=[may("metrics:read")])
def metrics(service: ServiceDep) -> str:
    """Prometheus text: events ingested, decisions by kind, breaches, worker lag, and deliveries,
    failed attempts, dead letters and queued messages by channel."""
    m = service_metrics(service.uow, service.clock())
    channels = service.delivery_totals()
    lines = [
        "# HELP escalon_events_ingested_total Events stored in the event store.",
        "# TYPE escalon_events_ingested_total counter",
        f"escalon_events_ingested_total {m.events}",
        "# HELP escalon_decisions_total Decisions stored, by kind.",
        "# TYPE escalon_decisions_total counter",
        *(
            f'escalon_decisions_total{{kind="{kind}"}} {n}'
            for kind, n in sorted(m.decisions_by_kind.items())
        ),
        "# HELP escalon_breaches_total Breach decisions (SLA breaches, missed acknowledgements).",
        "# TYPE escalon_breaches_total counter",
        f"escalon_breaches_total {m.breaches}",
        "# HELP escalon_worker_lag_seconds How long the oldest due wake-up has waited.",
        "# TYPE escalon_worker_lag_seconds gauge",
        f"escalon_worker_lag_seconds {m.worker_lag_seconds:.3f}",
        "# HELP escalon_deliveries_total Messages delivered, by channel.",
        "# TYPE escalon_deliveries_total counter",
        *(
            f'escalon_deliveries_total{{channel="{_label(c.channel)}"}} {c.delivered}'
            for c in channels
        ),
        "# HELP escalon_delivery_failures_total Attempts that did not deliver, by channel.",
        "# TYPE escalon_delivery_failures_total counter",
        *(
            f'escalon_delivery_failures_total{{channel="{_label(c.channel)}"}} {c.failed_attempts}'
            for c in channels
        ),
        "# HELP escalon_dead_letters_total Messages given up after their last retry, by channel.",
        "# TYPE escalon_dead_letters_total counter",
        *(
            f'escalon_dead_letters_total{{channel="{_label(c.channel)}"}} {c.dead}'
            for c in channels
        ),
        "# HELP escalon_outbox_messages Messages in the outbox, by channel and status.",
        "# TYPE escalon_outbox_messages gauge",
        *(
            f'escalon_outbox_messages{{channel="{_label(c.channel)}",status="{status}"}} {n}'
            for c in channels
            for status, n in sorted(c.by_status.items())
        ),
    ]
    return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    """A Prometheus label value: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@router.get(
    "/api/v1/audit",
    response_model=list[AuditOut],
    tags=["audit"],
    dependencies=[may("audit:read")],
)
def audit_log(
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    """The newest writes first: who did what, and when."""
    with service.uow(read_only=True) as uow:
        rows = uow.audit.recent(limit)
    return [AuditOut.model_validate(r) for r in rows]
