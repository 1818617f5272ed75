"""The authority matrix applied: who may grant a service credit, a discount or a contract change.

Credits promised by someone without the authority to give them are a classic escalation failure,
so every request is routed to the *lowest* role allowed to approve it (the most senior people are
the scarcest), an approval beyond the approver's cap is refused with the reason, and both the
request and the decision are kept as immutable audit records.

A role may approve a request when it lists the request's action in the policy (`service_credit`,
`discount`, `contract_modification`) and, for credits and discounts, the amount is within its
`credit_cap` (no cap: unlimited). The matrix is the policy's `authority` section.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

RequestKind = Literal["service_credit", "discount", "contract_change"]
REQUEST_KINDS: tuple[RequestKind, ...] = ("service_credit", "discount", "contract_change")

ACTION_FOR: dict[RequestKind, str] = {
    "service_credit": "service_credit",
    "discount": "discount",
    "contract_change": "contract_modification",
}
"""The matrix action a role must hold to approve each kind of request."""

_CAPPED: frozenset[RequestKind] = frozenset({"service_credit", "discount"})
_LABEL: dict[RequestKind, str] = {
    "service_credit": "service credit",
    "discount": "discount",
    "contract_change": "contract change",
}


class RoleSpec(Protocol):
    """One role of the policy's authority matrix (`Policy.authority.roles[name]`)."""

    @property
    def seniority(self) -> int: ...
    @property
    def credit_cap(self) -> Decimal | None: ...
    @property
    def actions(self) -> Collection[str]: ...


class Matrix(Protocol):
    """The policy's authority section (`Policy.authority`)."""

    @property
    def roles(self) -> Mapping[str, RoleSpec]: ...


class UnknownRole(ValueError):
    """A role name that is not in the authority matrix."""

    def __init__(self, role: str, known: Collection[str]) -> None:
        super().__init__(f"unknown role {role!r}; roles are {', '.join(known)}")
        self.role = role


def parse_amount(text: str, *, field: str = "amount") -> Decimal:
    """Read a money amount (`7500`, `7500.00`, `7,500`); raise ValueError naming the field."""
    cleaned = text.strip().replace(",", "").removeprefix("$")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{field}: {text!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{field}: {text!r} is not an amount")
    if amount < 0:
        raise ValueError(f"{field}: {text!r} is negative; amounts are 0 or more")
    return amount


def money(amount: Decimal) -> str:
    """`$7,500` or `$7,500.50`: how amounts read in reasons."""
    text = f"{amount:,.2f}"
    return "$" + (text[:-3] if text.endswith(".00") else text)


class AuthorityCheck(BaseModel):
    """Whether one role may approve one request, why, and who is the lowest role that may."""

    model_config = ConfigDict(frozen=True)

    role: str
    kind: RequestKind
    amount: Decimal
    allowed: bool
    reason: str
    lowest_approver: str | None


def ordered_roles(matrix: Matrix) -> list[str]:
    """Roles from least to most senior; ties by cap (unlimited last), then name."""

    def key(name: str) -> tuple[int, bool, Decimal, str]:
        spec = matrix.roles[name]
        cap = spec.credit_cap
        return (spec.seniority, cap is None, cap or Decimal(0), name)

    return sorted(matrix.roles, key=key)


def _role(matrix: Matrix, role: str) -> RoleSpec:
    if role not in matrix.roles:
        raise UnknownRole(role, ordered_roles(matrix))
    return matrix.roles[role]


def _refusal(spec: RoleSpec, role: str, kind: RequestKind, amount: Decimal) -> str | None:
    """Why `role` may not approve, or None when it may."""
    if ACTION_FOR[kind] not in spec.actions:
        return f"{role} may not approve a {_LABEL[kind]} (no {ACTION_FOR[kind]} authority)"
    cap = spec.credit_cap
    if kind in _CAPPED and cap is not None and amount > cap:
        return f"{money(amount)} is above {role}'s cap of {money(cap)} for a {_LABEL[kind]}"
    return None


def lowest_approver(matrix: Matrix, kind: RequestKind, amount: Decimal) -> str | None:
    """The least senior role allowed to approve the request, or None when no role is."""
    for name in ordered_roles(matrix):
        if _refusal(matrix.roles[name], name, kind, amount) is None:
            return name
    return None


def check_authority(
    matrix: Matrix, role: str, kind: RequestKind, amount: Decimal
) -> AuthorityCheck:
    """May `role` approve a `kind` of `amount`? Raises UnknownRole for a role not in the matrix."""
    if amount < 0:
        raise ValueError(f"amount: {amount} is negative; amounts are 0 or more")
    refusal = _refusal(_role(matrix, role), role, kind, amount)
    lowest = lowest_approver(matrix, kind, amount)
    if refusal is None:
        reason = f"{role} may approve a {money(amount)} {_LABEL[kind]}"
    elif lowest is None:
        reason = f"{refusal}; no role in the authority matrix may approve it"
    else:
        reason = f"{refusal}; the lowest role that may approve it is {lowest}"
    return AuthorityCheck(
        role=role,
        kind=kind,
        amount=amount,
        allowed=refusal is None,
        reason=reason,
        lowest_approver=lowest,
    )


class AuthorityRequest(BaseModel):
    """A request for a credit, discount or contract change on a ticket, routed on creation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    ticket: str
    kind: RequestKind
    amount: Decimal = Field(ge=0)
    requested_by: str | None = None
    reason: str | None = None
    at: AwareDatetime
    routed_to: str | None = Field(description="The lowest role allowed; None when no role is.")
    routing_reason: str


class AuthorityDecision(BaseModel):
    """An approver's decision on a request; `approved` is never true beyond the approver's cap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    request_id: str
    ticket: str
    approver: str
    approver_role: str
    approved: bool
    reason: str
    at: AwareDatetime


def request_authority(
    matrix: Matrix,
    *,
    request_id: str,
    ticket: str,
    kind: RequestKind,
    amount: Decimal,
    at: AwareDatetime,
    requested_by: str | None = None,
    reason: str | None = None,
) -> AuthorityRequest:
    """Record a request and route it to the lowest role allowed to approve it."""
    if amount < 0:
        raise ValueError(f"amount: {amount} is negative; amounts are 0 or more")
    approver = lowest_approver(matrix, kind, amount)
    if approver is None:
        routing = f"no role in the authority matrix may approve a {money(amount)} {_LABEL[kind]}"
    else:
        routing = f"routed to {approver}, the lowest role allowed to approve it"
    return AuthorityRequest(
        id=request_id,
        ticket=ticket,
        kind=kind,
        amount=amount,
        requested_by=requested_by,
        reason=reason,
        at=at,
        routed_to=approver,
        routing_reason=routing,
    )


def decide(
    matrix: Matrix,
    request: AuthorityRequest,
    *,
    approver: str,
    approver_role: str,
    approve: bool,
    at: AwareDatetime,
    note: str | None = None,
) -> AuthorityDecision:
    """An approver approves or declines; an approval beyond their authority becomes a refusal.

    Declining is always within anyone's authority; approving is checked against the matrix, so a
    decision record with `approved=True` proves the approver was allowed to give it.
    """
    verdict = check_authority(matrix, approver_role, request.kind, request.amount)
    if not approve:
        reason = f"declined by {approver} ({approver_role})" + (f": {note}" if note else "")
        approved = False
    elif verdict.allowed:
        reason = f"approved by {approver}: {verdict.reason}" + (f"; {note}" if note else "")
        approved = True
    else:
        reason = f"approval refused: {verdict.reason}"
        approved = False
    return AuthorityDecision(
        request_id=request.id,
        ticket=request.ticket,
        approver=approver,
        approver_role=approver_role,
        approved=approved,
        reason=reason,
        at=at,
    )
