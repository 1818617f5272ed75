"""Ingesting canonical events: one (group-committed), or a batch in one transaction."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter

from escalon.domain.events import Event
from escalon.entrypoints.api.deps import Ingesting, ServiceDep, bearer_secret
from escalon.entrypoints.api.schemas import IngestOut
from escalon.gc_tuning import collecting_rarely
from escalon.services.errors import ServiceError
from escalon.services.group_commit import ACTION, GroupCommitter, InvalidBody, Outcome, Pending
from escalon.services.ingest import IngestResult

router = APIRouter(prefix="/api/v1/events", tags=["events"])

_EVENT_SCHEMA = {
    key: value
    for key, value in TypeAdapter(Event)
    .json_schema(ref_template="#/components/schemas/{model}")
    .items()
    if key != "$defs"  # the batch route registers the same components
}


class BatchTooLarge(ServiceError):
    status = 413
    title = "Batch too large"


def group_committer(request: Request) -> GroupCommitter:
    """The app's writer for single events (see escalon.services.group_commit)."""
    committer: GroupCommitter = request.app.state.group_committer
    return committer


@router.post(
    "",
    response_model=IngestOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {**_EVENT_SCHEMA, "title": "Event"}}},
        },
        "security": [{"HTTPBearer": []}],
    },
)
async def ingest_one(
    request: Request, secret: Annotated[str, Depends(bearer_secret(ACTION))]
) -> Response:
    """Store one event and run the engine on its ticket; the same id twice is stored once.

    Concurrent requests are committed together (group commit); each is still all-or-nothing
    and gets its own answer. The token is checked in the writing transaction, before the body.
    """
    outcome = await committed(group_committer(request), secret, await request.body())
    if isinstance(outcome, InvalidBody):
        raise RequestValidationError(_body_errors(outcome.errors))
    if isinstance(outcome, Exception):
        raise outcome
    return Response(answer_json(outcome), media_type="application/json")


async def committed(committer: GroupCommitter, secret: str, body: bytes) -> Outcome:
    """Hand one request to the group-commit writer and wait for its outcome."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[Outcome] = loop.create_future()

    def done(outcome: Outcome) -> None:
        loop.call_soon_threadsafe(_settle, answer, outcome)

    committer.submit(Pending(secret, body, done))
    return await answer


def answer_json(result: IngestResult) -> bytes:
    """The answer's four integers, encoded here rather than validated against IngestOut."""
    return (
        f'{{"received":{result.received},"stored":{result.stored},'
        f'"duplicates":{result.duplicates},"decisions":{result.decisions}}}'
    ).encode()


def _settle(answer: asyncio.Future[Outcome], outcome: Outcome) -> None:
    if not answer.done():  # the client may have gone away
        answer.set_result(outcome)


def _body_errors(errors: list[Any]) -> list[Any]:
    """pydantic's errors located in the body, as FastAPI reports body validation errors."""
    return [{**error, "loc": ("body", *error["loc"])} for error in errors]


@router.post("/batch", response_model=IngestOut)
def ingest_batch(
    events: Annotated[list[Event], Body(min_length=1)], service: ServiceDep, caller: Ingesting
) -> IngestOut:
    """Store a batch all-or-nothing; an error names the event by its index (`/3/data/priority`)."""
    limit = service.settings.max_batch_events
    if len(events) > limit:
        raise BatchTooLarge(f"a batch carries at most {limit} events", field="/")
    # The batch's live objects would be rescanned by every default-threshold collection; the
    # process keeps the default ones otherwise, for the latency of single requests.
    with collecting_rarely():
        result = service.ingestor.ingest(events, caller, service.clock(), batch=True)
    return IngestOut.model_validate(result)
