"""Why a command was refused; entrypoints turn these into problem details or CLI exit codes."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused command; `field` names the input at fault (a JSON pointer-like path)."""

    status = 422
    title = "Invalid request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidEvent(ServiceError):
    title = "Invalid event"


class UnknownTicket(ServiceError):
    status = 404
    title = "Unknown ticket"


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class Unauthenticated(ServiceError):
    status = 401
    title = "Unauthenticated"


class InvalidPolicy(ServiceError):
    title = "Invalid policy"


class WorkerAlreadyRunning(ServiceError):
    status = 409
    title = "Worker already running"


class SharedStateMoved(ServiceError):
    """Another transaction wrote the engine's cross-ticket document since this one read it.

    Raised at write time (optimistic concurrency); the use cases retry the whole command, which
    then reads the new document. It reaches a client only when the retries all lost the race.
    """

    status = 409
    title = "Concurrent write"
