"""Dependencies shared by the routes: the wired service and the authenticated caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from escalon.bootstrap import Service
from escalon.services.access import Caller, authenticate
from escalon.services.errors import Unauthenticated

_bearer = HTTPBearer(auto_error=False, description="An escalon API token: `escalon token create`")


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def allowed(action: str) -> Callable[..., Caller]:
    """A dependency that authenticates the bearer token and checks it may perform `action`."""

    def dependency(
        service: ServiceDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> Caller:
        header = f"Bearer {credentials.credentials}" if credentials is not None else None
        caller = authenticate(service.uow, header)
        caller.require(action)
        return caller

    dependency.action = action  # type: ignore[attr-defined]  # lets tests map routes to rights
    return dependency


def bearer_of(header: str) -> str | None:
    """The secret of an `Authorization: Bearer ...` header; None when missing or malformed."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def bearer_secret(action: str) -> Callable[..., Any]:
    """A dependency that only takes the bearer secret for `action`: a missing or malformed
    header is a 401 at once, and the caller's use case checks the token and the right itself
    (group commit checks them in its writing transaction, one query for the whole group)."""

    async def dependency(request: Request) -> str:
        # The header is read here rather than through the HTTPBearer security dependency: one
        # dependency less to solve on the busiest route (the route declares the scheme itself).
        secret = bearer_of(request.headers.get("authorization", ""))
        if secret is None:
            raise Unauthenticated("a bearer token is required", field="authorization")
        return secret

    dependency.action = action  # type: ignore[attr-defined]  # lets tests map routes to rights
    return dependency


def may(action: str) -> Any:
    """For routes that only need the check: `dependencies=[may("tickets:read")]`."""
    return Depends(allowed(action))


Ingesting = Annotated[Caller, Depends(allowed("events:ingest"))]
HandingOff = Annotated[Caller, Depends(allowed("handoffs:write"))]
RequestingApproval = Annotated[Caller, Depends(allowed("approvals:request"))]
DecidingApproval = Annotated[Caller, Depends(allowed("approvals:decide"))]
WritingPolicy = Annotated[Caller, Depends(allowed("policy:write"))]
