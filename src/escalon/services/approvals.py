"""Credit, discount and contract-change approvals, checked against the policy's authority matrix.

A request is a `credit.requested` event plus an approval routed (by `escalon.domain.authority`)
to the lowest role allowed to grant it; approving above the decider's cap is refused with the
matrix's reason, never recorded as approved.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from escalon.domain.authority import (
    AuthorityCheck,
    UnknownRole,
    check_authority,
    lowest_approver,
)
from escalon.domain.events import CreditRequested, CreditRequestedEvent
from escalon.services.access import Caller
from escalon.services.errors import Conflict, Forbidden, NotFound
from escalon.services.ingest import Ingestor
from escalon.services.ports import Row, UnitOfWork, UnitOfWorkFactory

AUTHORITY_ROLE = {
    "agent": "l1_agent",
    "lead": "l2_specialist",
    "manager": "support_manager",
    "vp": "vp_support",
    "clevel": "c_level",
}
"""Token role -> the authority-matrix role whose cap and actions it carries."""


def _verdict(policy: Any, role: str, kind: Any, amount: Decimal) -> AuthorityCheck:
    """The matrix's answer for a token role (mapped to its authority role)."""
    authority_role = AUTHORITY_ROLE.get(role, role)
    try:
        return check_authority(policy.authority, authority_role, kind, amount)
    except UnknownRole as error:
        raise Forbidden(str(error), field="authorization") from error


@dataclass(frozen=True)
class Approvals:
    uow_factory: UnitOfWorkFactory
    ingestor: Ingestor

    def request(
        self,
        ticket: str,
        data: CreditRequested,
        caller: Caller,
        now: datetime,
        event_id: str | None = None,
    ) -> Row:
        if data.requested_by is None:
            data = data.model_copy(update={"requested_by": caller.name})
        event = CreditRequestedEvent(
            type="credit.requested",
            id=event_id or f"api-{uuid.uuid4().hex}",
            at=now,
            ticket=ticket,
            data=data,
        )
        row: dict[str, Any] = {}

        def record(uow: UnitOfWork, policy: Any) -> None:
            if uow.approvals.get(event.id, lock=False) is not None:
                row.update(uow.approvals.get(event.id, lock=False) or {})
                return
            route = lowest_approver(policy.authority, data.kind, data.amount)
            if route is None:
                raise Forbidden(
                    f"no role in the authority matrix may grant a {data.kind} of {data.amount}",
                    field="amount",
                )
            row.update(
                id=event.id,
                ticket=ticket,
                kind=data.kind,
                amount=data.amount,
                reason=data.reason,
                requested_by=str(data.requested_by),
                requested_at=now,
                route_to=route,
                status="pending",
                decided_by=None,
                decided_role=None,
                decided_at=None,
                note=None,
            )
            uow.approvals.add(row)
            uow.audit.record(
                caller.audit("approval.request", event.id, {"amount": str(data.amount)}, now)
            )

        self.ingestor.ingest([event], caller, now, batch=False, also=record)
        return row

    def decide(
        self, approval_id: str, approve: bool, note: str | None, caller: Caller, now: datetime
    ) -> Row:
        with self.uow_factory() as uow:
            row = uow.approvals.get(approval_id, lock=True)
            if row is None:
                raise NotFound(f"no approval {approval_id!r}", field="approval")
            if row["status"] != "pending":
                raise Conflict(
                    f"approval {approval_id!r} is already {row['status']}", field="status"
                )
            policy = self.ingestor.policies.active(uow)
            amount = Decimal(str(row["amount"]))
            if approve:
                verdict = _verdict(policy, caller.role, row["kind"], amount)
                if not verdict.allowed:
                    raise Forbidden(verdict.reason, field="amount")
            changes = {
                "status": "approved" if approve else "refused",
                "decided_by": caller.name,
                "decided_role": caller.role,
                "decided_at": now,
                "note": note,
            }
            uow.approvals.decide(approval_id, changes)
            uow.audit.record(
                caller.audit("approval.decide", approval_id, {"status": changes["status"]}, now)
            )
            uow.commit()
            return {**row, **changes}

    def list(self, status: str | None, ticket: str | None, limit: int) -> list[Row]:
        with self.uow_factory(read_only=True) as uow:
            return uow.approvals.search(status, ticket, limit)
