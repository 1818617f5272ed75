"""The canonical event format: everything escalon knows about a ticket arrives as one of these.

Live ingestion, importers, the operations simulator and replay all produce the same envelope
(`id`, `type`, `at`, `ticket`, `data`), so the engine has exactly one input language. Events are
immutable; `id` is the idempotency key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

Priority = Literal["P1", "P2", "P3", "P4"]
Segment = Literal["enterprise", "mid-market", "smb"]
TicketStatus = Literal[
    "new", "open", "pending_customer", "pending_vendor", "on_hold", "solved", "closed"
]
EscalationReason = Literal[
    "technical_complexity",
    "sla_breach_risk",
    "customer_requested",
    "product_bug",
    "integration_issue",
    "engineering_required",
    "impact",
    "repeated_failure",
    "vendor_dependency",
    "other",
]
OverEscalationReason = Literal["knowledge_gap", "tool_limitation", "authority_limit", "other"]
ExecutiveLevel = Literal["none", "manager", "director", "vp", "c-level"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Customer(_Frozen):
    """Who the ticket is for; segment and region drive SLAs, calendars and management triggers."""

    id: str
    name: str | None = None
    segment: Segment = "smb"
    region: str | None = None
    executive_level: ExecutiveLevel = "none"
    vip: bool = False


class TicketFlags(_Frozen):
    """Facts about impact and risk that the escalation criteria and management triggers read."""

    churn_threat: bool | None = None
    public_complaint: bool | None = None
    legal_compliance_security: bool | None = None
    revenue_at_risk: Decimal | None = Field(default=None, ge=0)
    engineering_required: bool | None = None
    vendor: str | None = None
    affected_customers: int | None = Field(default=None, ge=0)


class TicketCreated(TicketFlags):
    subject: str | None = None
    priority: Priority = "P3"
    category: str | None = None
    product_area: str | None = None
    customer: Customer
    channel: str | None = None
    tier: str = "L1"
    team: str | None = None
    agent: str | None = None
    issue_signature: str | None = None
    status: TicketStatus = "new"


class TicketUpdated(TicketFlags):
    priority: Priority | None = None
    category: str | None = None
    product_area: str | None = None
    customer: Customer | None = None
    issue_signature: str | None = None


class TicketCommented(_Frozen):
    public: bool = True
    author: Literal["agent", "customer"] = "agent"
    author_id: str | None = None
    body: str | None = None


class StatusChanged(_Frozen):
    status: TicketStatus


class Assigned(_Frozen):
    tier: str | None = None
    team: str | None = None
    agent: str | None = None


class EscalationRequested(_Frozen):
    to: str
    reason: EscalationReason = "other"
    justification: str | None = None
    requested_by: str | None = None
    handoff: dict[str, Any] | None = None
    warm: bool | None = None


class EscalationAccepted(_Frozen):
    by: str | None = None
    estimated_resolution: str | None = None


class EscalationRejected(_Frozen):
    by: str | None = None
    reason: str
    feedback: str | None = None


class TicketResolved(_Frozen):
    by: str | None = None
    summary: str | None = None
    root_cause: str | None = None
    kb_article: str | None = None
    over_escalation: OverEscalationReason | None = None


class TicketReopened(_Frozen):
    reason: str | None = None


class CsatReceived(_Frozen):
    score: int = Field(ge=1, le=5)
    comment: str | None = None


class CreditRequested(_Frozen):
    amount: Decimal = Field(ge=0)
    kind: Literal["service_credit", "discount", "contract_change"] = "service_credit"
    requested_by: str | None = None
    reason: str | None = None


class ManagementResponded(_Frozen):
    """A milestone of the management response SLA was met (acknowledged, executive notified,
    customer contacted, resolution plan communicated, status update sent)."""

    milestone: Literal[
        "acknowledged",
        "executive_notified",
        "customer_contacted",
        "resolution_plan",
        "status_update",
    ]
    by: str | None = None
    note: str | None = None


class Tick(_Frozen):
    """Time passes; carries nothing. The engine fires whatever came due up to `at`."""


class _Envelope(_Frozen):
    """`id` is the idempotency key; `at` must carry an offset; `ticket` is `*` only for ticks."""

    id: str = Field(min_length=1, max_length=200)
    at: AwareDatetime
    ticket: str = Field(min_length=1, max_length=200)


class TicketCreatedEvent(_Envelope):
    type: Literal["ticket.created"]
    data: TicketCreated


class TicketUpdatedEvent(_Envelope):
    type: Literal["ticket.updated"]
    data: TicketUpdated


class TicketCommentedEvent(_Envelope):
    type: Literal["ticket.commented"]
    data: TicketCommented


class StatusChangedEvent(_Envelope):
    type: Literal["ticket.status_changed"]
    data: StatusChanged


class AssignedEvent(_Envelope):
    type: Literal["ticket.assigned"]
    data: Assigned


class EscalationRequestedEvent(_Envelope):
    type: Literal["escalation.requested"]
    data: EscalationRequested


class EscalationAcceptedEvent(_Envelope):
    type: Literal["escalation.accepted"]
    data: EscalationAccepted


class EscalationRejectedEvent(_Envelope):
    type: Literal["escalation.rejected"]
    data: EscalationRejected


class TicketResolvedEvent(_Envelope):
    type: Literal["ticket.resolved"]
    data: TicketResolved


class TicketReopenedEvent(_Envelope):
    type: Literal["ticket.reopened"]
    data: TicketReopened


class CsatReceivedEvent(_Envelope):
    type: Literal["csat.received"]
    data: CsatReceived


class CreditRequestedEvent(_Envelope):
    type: Literal["credit.requested"]
    data: CreditRequested


class ManagementRespondedEvent(_Envelope):
    type: Literal["management.responded"]
    data: ManagementResponded


class TickEvent(_Envelope):
    type: Literal["tick"]
    data: Tick = Field(default_factory=Tick)


Event = Annotated[
    TicketCreatedEvent
    | TicketUpdatedEvent
    | TicketCommentedEvent
    | StatusChangedEvent
    | AssignedEvent
    | EscalationRequestedEvent
    | EscalationAcceptedEvent
    | EscalationRejectedEvent
    | TicketResolvedEvent
    | TicketReopenedEvent
    | CsatReceivedEvent
    | CreditRequestedEvent
    | ManagementRespondedEvent
    | TickEvent,
    Field(discriminator="type"),
]
"""Any canonical event; parse with `parse_event` or `parse_event_json`."""

EVENT_TYPES: tuple[str, ...] = (
    "ticket.created",
    "ticket.updated",
    "ticket.commented",
    "ticket.status_changed",
    "ticket.assigned",
    "escalation.requested",
    "escalation.accepted",
    "escalation.rejected",
    "ticket.resolved",
    "ticket.reopened",
    "csat.received",
    "credit.requested",
    "management.responded",
    "tick",
)

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(raw: Mapping[str, Any]) -> Event:
    """Validate one event given as a mapping; raises pydantic.ValidationError naming the field."""
    return _ADAPTER.validate_python(raw)


def parse_event_json(raw: str | bytes) -> Event:
    """Validate one event given as JSON text (one line of a JSONL file)."""
    return _ADAPTER.validate_json(raw)


_INSTANT = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:Z|([+-])(\d\d):(\d\d))",
    re.ASCII,
)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_ORDINALS: dict[str, int] = {}


def instant_text_us(text: str) -> int | None:
    """Epoch microseconds of the common ISO 8601 form `2025-04-01T09:00:00[.ffffff](Z|+hh:mm)`,
    computed without building a datetime; None for any other text (valid or not), which callers
    then hand to the full validator. Where it answers, it agrees with `AwareDatetime`."""
    match = _INSTANT.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    hours, minutes, seconds = int(hour), int(minute), int(second)
    if hours > 23 or minutes > 59 or seconds > 59 or not 1900 <= int(year) <= 9000:
        return None
    days = _DAY_ORDINALS.get(text[:10])
    if days is None:
        try:
            days = date(int(year), int(month), int(day)).toordinal() - _EPOCH_ORDINAL
        except ValueError:
            return None
        if len(_DAY_ORDINALS) < 100_000:
            _DAY_ORDINALS[text[:10]] = days
    total = days * 86_400 + hours * 3600 + minutes * 60 + seconds
    if sign is not None:
        offset_h, offset_m = int(off_h), int(off_m)
        if offset_h > 23 or offset_m > 59:
            return None
        offset = offset_h * 3600 + offset_m * 60
        total -= offset if sign == "+" else -offset
    micros = int(fraction.ljust(6, "0")) if fraction is not None else 0
    return total * 1_000_000 + micros


# -- the plain-JSON path ----------------------------------------------------------------------
#
# Validating an event with pydantic costs more than the engine spends deciding on it. Most events
# in a file are plainly valid: exact JSON types, known fields, instants in the usual ISO form. For
# those, `plain_event` checks each field against the same model's declared type and constraints
# directly and returns what `parse_event` followed by an exclude-unset dump would give; anything
# else (a coercion pydantic would make, an unknown field, a bad value) returns None and goes the
# pydantic way, which makes the decision and words the error. The field table is derived from the
# models themselves, so the two cannot drift apart; a field type it does not know takes its event
# type off the plain path entirely.

_NONE = type(None)
_MAX_EXACT_FLOAT = 2**53
_FieldSpec = tuple[str, str, bool, bool, Any]
"""(name, kind, nullable, required, detail): kind is str, bool, int, decimal, choice, model or
object; detail is (low, high) bounds for numbers, the choices, or a nested field table."""


class _Unsupported(Exception):
    """A field type the plain path does not check; its event type always goes through pydantic."""


def _bounds(metadata: list[Any]) -> tuple[Any, Any]:
    low = high = None
    for item in metadata:
        if type(item) is annotated_types.Ge:
            low = item.ge
        elif type(item) is annotated_types.Le:
            high = item.le
        else:
            raise _Unsupported(repr(item))
    return low, high


def _field_table(model: type[BaseModel]) -> tuple[_FieldSpec, ...]:
    if model.model_config.get("extra") != "forbid":
        raise _Unsupported(model.__name__)
    table: list[_FieldSpec] = []
    for name, info in model.model_fields.items():
        annotation: Any = info.annotation
        nullable = False
        if get_origin(annotation) in (Union, UnionType) and _NONE in get_args(annotation):
            rest = [arg for arg in get_args(annotation) if arg is not _NONE]
            if len(rest) != 1:
                raise _Unsupported(f"{model.__name__}.{name}")
            nullable, annotation = True, rest[0]
        low, high = _bounds(info.metadata)
        detail: Any = (low, high)
        if annotation in (str, bool) and low is None and high is None:
            kind = annotation.__name__
        elif annotation is int:
            kind = "int"
        elif annotation is Decimal:
            kind = "decimal"
        elif get_origin(annotation) is Literal and all(
            type(a) is str for a in get_args(annotation)
        ):
            kind, detail = "choice", frozenset(get_args(annotation))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            kind, detail = "model", _field_table(annotation)
        elif get_origin(annotation) is dict and get_args(annotation) == (str, Any):
            kind = "object"
        else:
            raise _Unsupported(f"{model.__name__}.{name}")
        if kind not in ("int", "decimal") and (low is not None or high is not None):
            raise _Unsupported(f"{model.__name__}.{name}")
        table.append((name, kind, nullable, info.is_required(), detail))
    return tuple(table)


def _plain_value(kind: str, value: Any, detail: Any) -> Any:
    """The value as the model would keep (and dump) it, or `_NONE` when not plainly valid."""
    if kind == "str":
        return value if type(value) is str else _NONE
    if kind == "choice":
        return value if type(value) is str and value in detail else _NONE
    if kind == "bool":
        return value if type(value) is bool else _NONE
    if kind == "model":
        plain = _plain_fields(detail, value)
        return _NONE if plain is None else plain
    if kind == "object":
        if type(value) is not dict or not all(type(key) is str for key in value):
            return _NONE
        return value
    low, high = detail
    if kind == "int":
        if type(value) is not int:
            return _NONE
    elif type(value) is int:  # decimal: dumped as a float (docs/events.md), so exact ints only
        if not -_MAX_EXACT_FLOAT <= value <= _MAX_EXACT_FLOAT:
            return _NONE
        value = float(value)
    elif type(value) is not float or not math.isfinite(value):
        return _NONE
    if (low is not None and not value >= low) or (high is not None and not value <= high):
        return _NONE
    return value


def _plain_fields(table: tuple[_FieldSpec, ...], data: Any) -> dict[str, Any] | None:
    if type(data) is not dict:
        return None
    plain: dict[str, Any] = {}
    seen = 0
    for name, kind, nullable, required, detail in table:
        if name not in data:
            if required:
                return None
            continue
        seen += 1
        value = data[name]
        if value is None:
            if not nullable:
                return None
        elif kind == "str":  # the common kinds inline, the rest in `_plain_value`
            if type(value) is not str:
                return None
        elif kind == "choice":
            if type(value) is not str or value not in detail:
                return None
        elif kind == "bool":
            if type(value) is not bool:
                return None
        else:
            value = _plain_value(kind, value, detail)
            if value is _NONE:
                return None
        plain[name] = value
    return plain if seen == len(data) else None


def _data_tables() -> dict[str, tuple[_FieldSpec, ...]]:
    tables: dict[str, tuple[_FieldSpec, ...]] = {}
    for member in get_args(get_args(Event)[0]):
        event_type = get_args(member.model_fields["type"].annotation)[0]
        try:
            tables[event_type] = _field_table(member.model_fields["data"].annotation)
        except _Unsupported:
            continue
    return tables


_DATA_TABLES = _data_tables()
_TYPES = {name: name for name in _DATA_TABLES}
_ENVELOPE = frozenset({"id", "type", "at", "ticket", "data"})
_INSTANTS: dict[str, int] = {}
"""Recently seen instants: events of a file come in bursts at the same few instants."""


def plain_event(raw: Any) -> tuple[str, str, int, str, dict[str, Any]] | None:
    """(id, type, at in epoch microseconds, ticket, data) of a plainly valid event given as
    parsed JSON, `data` holding only the fields the event set (decimals as floats); None when
    `parse_event` has to judge it. See the comment above."""
    if type(raw) is not dict or not raw.keys() <= _ENVELOPE:
        return None
    named = raw.get("type")
    kind = _TYPES.get(named) if type(named) is str else None
    ident, at, ticket = raw.get("id"), raw.get("at"), raw.get("ticket")
    if (
        kind is None
        or type(ident) is not str
        or type(ticket) is not str
        or type(at) is not str
        or not 1 <= len(ident) <= 200
        or not 1 <= len(ticket) <= 200
    ):
        return None
    instant = _INSTANTS.get(at)
    if instant is None:
        instant = instant_text_us(at)
        if instant is None:
            return None
        if len(_INSTANTS) >= 65_536:
            _INSTANTS.clear()
        _INSTANTS[at] = instant
    if "data" in raw:
        data = _plain_fields(_DATA_TABLES[kind], raw["data"])
        if data is None:
            return None
    elif kind == "tick":
        data = {}
    else:
        return None
    return ident, kind, instant, ticket, data


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of the canonical event, as printed by `escalon schema events`."""
    return _ADAPTER.json_schema()
