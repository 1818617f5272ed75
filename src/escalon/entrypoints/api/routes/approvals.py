"""Approval requests (credits, discounts, contract changes) and their decisions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from escalon.domain.events import CreditRequested
from escalon.entrypoints.api.deps import DecidingApproval, RequestingApproval, ServiceDep, may
from escalon.entrypoints.api.schemas import ApprovalDecisionIn, ApprovalIn, ApprovalOut

router = APIRouter(prefix="/api/v1", tags=["approvals"])


@router.post("/tickets/{ticket}/approvals", response_model=ApprovalOut, status_code=201)
def request_approval(
    ticket: Annotated[str, Path(min_length=1, max_length=200)],
    body: ApprovalIn,
    service: ServiceDep,
    caller: RequestingApproval,
) -> ApprovalOut:
    """Ask for a credit; it is routed to the lowest role whose cap covers the amount."""
    data = CreditRequested.model_validate(body.model_dump(exclude={"id"}))
    row = service.approvals.request(ticket, data, caller, service.clock(), body.id)
    return ApprovalOut.model_validate(row)


@router.get("/approvals", response_model=list[ApprovalOut], dependencies=[may("approvals:read")])
def list_approvals(
    service: ServiceDep,
    status: Literal["pending", "approved", "refused"] | None = None,
    ticket: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ApprovalOut]:
    """Approvals, oldest request first."""
    return [ApprovalOut.model_validate(r) for r in service.approvals.list(status, ticket, limit)]


@router.post("/approvals/{approval}/decision", response_model=ApprovalOut)
def decide_approval(
    approval: Annotated[str, Path(min_length=1, max_length=200)],
    body: ApprovalDecisionIn,
    service: ServiceDep,
    caller: DecidingApproval,
) -> ApprovalOut:
    """Approve or refuse; approving above your role's cap is refused with the reason."""
    approve = body.decision == "approve"
    row = service.approvals.decide(approval, approve, body.note, caller, service.clock())
    return ApprovalOut.model_validate(row)
