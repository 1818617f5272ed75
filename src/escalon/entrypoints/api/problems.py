"""RFC 9457 problem details for every error, each naming the field at fault.

A client that gets a 4xx can point its user at the exact input to fix; nothing in a refused
request has been stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from escalon.domain.events import EVENT_TYPES
from escalon.services.errors import ServiceError

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://escalon.dev/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["field"] = errors[0]["field"]
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """A validation location as the field a client sent: `/0/data/customer/id` or `limit`."""
    parts = list(loc)
    where = parts.pop(0) if parts and parts[0] in ("body", "query", "path", "header") else "body"
    kept = [
        str(p)
        for i, p in enumerate(parts)
        if not (p in EVENT_TYPES and (i == 0 or isinstance(parts[i - 1], int)))
    ]
    if where == "body":
        return "/" + "/".join(kept)
    return ".".join(kept) or where


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem details."""

    @app.exception_handler(ServiceError)
    async def _service(request: Request, error: ServiceError) -> JSONResponse:
        errors = [{"field": error.field, "message": error.detail}] if error.field else None
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return problem(
            error.status,
            error.title,
            error.detail,
            instance=request.url.path,
            errors=errors,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        issues = list(error.errors())
        if any(issue.get("type") == "json_invalid" for issue in issues):
            return problem(
                400,
                "Malformed JSON",
                "the request body is not valid JSON",
                instance=request.url.path,
                errors=[{"field": "/", "message": str(issues[0].get("msg", ""))}],
            )
        errors = [
            {"field": field_path(issue["loc"]), "message": str(issue["msg"])} for issue in issues
        ]
        return problem(
            422,
            "Invalid request",
            f"{errors[0]['field']}: {errors[0]['message']}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(IntegrityError)
    async def _race(request: Request, _error: IntegrityError) -> JSONResponse:
        # Two requests created the same ticket or event at the same instant; the loser's whole
        # transaction rolled back, and resending it is safe (ingestion is idempotent).
        return problem(
            409,
            "Concurrent write",
            "another request stored the same ticket or event at the same time; retry",
            instance=request.url.path,
            errors=[{"field": "/", "message": "concurrent write"}],
        )

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, _error: OperationalError) -> JSONResponse:
        return problem(
            503,
            "Database busy",
            "the database did not answer in time; retry",
            instance=request.url.path,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        return problem(
            error.status_code,
            "Not found" if error.status_code == 404 else "HTTP error",
            str(error.detail),
            instance=request.url.path,
            headers=dict(error.headers) if error.headers else None,
        )
