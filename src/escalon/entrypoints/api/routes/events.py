"""Ingesting canonical events: one, or a batch in one transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from escalon.domain.events import Event
from escalon.entrypoints.api.deps import Ingesting, ServiceDep
from escalon.entrypoints.api.schemas import IngestOut
from escalon.services.errors import ServiceError

router = APIRouter(prefix="/api/v1/events", tags=["events"])


class BatchTooLarge(ServiceError):
    status = 413
    title = "Batch too large"


@router.post("", response_model=IngestOut)
def ingest_one(
    event: Annotated[Event, Body()], service: ServiceDep, caller: Ingesting
) -> IngestOut:
    """Store one event and run the engine on its ticket; the same id twice is stored once."""
    result = service.ingestor.ingest([event], caller, service.clock(), batch=False)
    return IngestOut.model_validate(result)


@router.post("/batch", response_model=IngestOut)
def ingest_batch(
    events: Annotated[list[Event], Body(min_length=1)], service: ServiceDep, caller: Ingesting
) -> IngestOut:
    """Store a batch all-or-nothing; an error names the event by its index (`/3/data/priority`)."""
    limit = service.settings.max_batch_events
    if len(events) > limit:
        raise BatchTooLarge(f"a batch carries at most {limit} events", field="/")
    result = service.ingestor.ingest(events, caller, service.clock(), batch=True)
    return IngestOut.model_validate(result)
