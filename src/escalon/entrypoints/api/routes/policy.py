"""The policy: read the active version, validate a candidate, activate a new or stored version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from escalon.entrypoints.api.deps import ServiceDep, WritingPolicy, may
from escalon.entrypoints.api.schemas import (
    PolicyCheckOut,
    PolicyIn,
    PolicyOut,
    PolicyVersionOut,
)
from escalon.services import policies
from escalon.services.errors import NotFound

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])


@router.get("", response_model=PolicyOut, dependencies=[may("policy:read")])
def active_policy(service: ServiceDep) -> PolicyOut:
    """The policy in force, with its source."""
    with service.uow(read_only=True) as uow:
        row = uow.policies.active()
    if row is None:
        raise NotFound("no policy is active", field="policy")
    return PolicyOut.model_validate(row)


@router.get("/versions", response_model=list[PolicyVersionOut], dependencies=[may("policy:read")])
def policy_versions(service: ServiceDep) -> list[PolicyVersionOut]:
    """Every version ever activated or stored, oldest first."""
    with service.uow(read_only=True) as uow:
        rows = uow.policies.all()
    return [PolicyVersionOut.model_validate(r) for r in rows]


@router.post("/validate", response_model=PolicyCheckOut, dependencies=[may("policy:write")])
def validate_policy(body: PolicyIn, service: ServiceDep) -> PolicyCheckOut:
    """Check a candidate policy without storing it; errors name FILE:LINE:COLUMN and field."""
    check = policies.check(service.policies, body.source)
    return PolicyCheckOut(
        valid=check.valid,
        version=check.version,
        fingerprint=check.fingerprint,
        errors=[line for error in check.errors for line in error.splitlines()],
    )


@router.post("/activate", response_model=PolicyOut)
def activate_policy(body: PolicyIn, service: ServiceDep, caller: WritingPolicy) -> PolicyOut:
    """Store the policy as a new version and make it active; running escalations keep theirs."""
    row = policies.activate(service.uow, service.policies, body.source, caller, service.clock())
    return PolicyOut.model_validate(row)


@router.post("/versions/{version}/activate", response_model=PolicyOut)
def activate_version(
    version: Annotated[str, Path(min_length=1, max_length=200)],
    service: ServiceDep,
    caller: WritingPolicy,
) -> PolicyOut:
    """Make a stored version active again (a rollback)."""
    row = policies.activate_stored(service.uow, version, caller, service.clock())
    return PolicyOut.model_validate(row)
