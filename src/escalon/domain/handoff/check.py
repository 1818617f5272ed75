"""Is a handoff complete enough to send? Required fields per path, and a completeness score.

An escalation whose handoff lacks a field its path requires is refused with the full list of
missing fields, so the originating agent fixes everything in one pass. The score is kept for
analytics whether or not the handoff is accepted (formula in docs/handoffs.md):

    score = floor(100 * filled / 26)

over the 26 fields the originating tier fills (every field except the `acceptance` section).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import ValidationError

from escalon.domain.durations import parse_duration
from escalon.domain.events import Priority, instant_text_us
from escalon.domain.handoff.form import (
    HANDOFF_FIELDS,
    HandoffForm,
    Reproduced,
    Sentiment,
    TicketInformation,
)

ORIGINATOR_FIELDS: tuple[str, ...] = tuple(
    name for name in HANDOFF_FIELDS if not name.startswith("acceptance.")
)
"""The fields the originating tier is expected to fill; the denominator of the score."""

# A details field only matters when its yes/no field says yes ("Workaround provided: Yes — ...").
_DETAILS_OF: dict[str, str] = {
    "current_status.workaround_details": "current_status.workaround_provided",
    "customer_communication.notified_at": "customer_communication.customer_notified",
    "acceptance.additional_resources_details": "acceptance.additional_resources_needed",
}


@dataclass(frozen=True, slots=True)
class HandoffCheck:
    """The verdict on one handoff: complete or not, what is missing or invalid, and its score."""

    complete: bool
    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    score: int = 0
    form: HandoffForm | None = field(default=None, compare=False)

    @property
    def reason(self) -> str:
        """One line for the refusal decision, listing every field to fix."""
        if self.complete:
            return f"handoff complete (score {self.score})"
        parts = []
        if self.invalid:
            parts.append("invalid " + "; ".join(self.invalid))
        if self.missing:
            parts.append("missing " + ", ".join(self.missing))
        return "handoff refused: " + "; ".join(parts)


def validate_field_names(names: Iterable[str]) -> tuple[str, ...]:
    """Check a policy's required-field list; raise ValueError naming the first unknown field."""
    checked = tuple(names)
    for name in checked:
        if name not in HANDOFF_FIELDS:
            raise ValueError(
                f"unknown handoff field {name!r}; fields are written like "
                "'issue_summary.customer_description' (see docs/handoffs.md)"
            )
    return checked


def field_value(form: HandoffForm, name: str) -> Any:
    """The value of a dotted field, e.g. `current_status.customer_sentiment`."""
    section, attribute = name.split(".", 1)
    return getattr(getattr(form, section), attribute)


def is_filled(form: HandoffForm, name: str) -> bool:
    """Blank text, empty lists and unanswered yes/no questions count as not filled."""
    parent = _DETAILS_OF.get(name)
    if parent is not None:
        answer = field_value(form, parent)
        if answer is False:
            return True
        if answer is None:
            return False
    value = field_value(form, name)
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return True


def completeness_score(form: HandoffForm) -> int:
    """0-100: the share of the originating tier's fields that are filled, rounded down."""
    filled = sum(1 for name in ORIGINATOR_FIELDS if is_filled(form, name))
    return (100 * filled) // len(ORIGINATOR_FIELDS)


def with_ticket_context(form: HandoffForm, context: TicketInformation) -> HandoffForm:
    """Fill blank ticket-information fields from what escalon already knows about the ticket.

    The agent should not have to retype the ticket id, priority or SLA remaining; values the
    agent did write are kept.
    """
    current = form.ticket_information.model_dump()
    known = context.model_dump()
    merged = {key: current[key] if current[key] is not None else known[key] for key in current}
    return form.model_copy(update={"ticket_information": TicketInformation(**merged)})


def parse_handoff(raw: Mapping[str, Any]) -> HandoffForm:
    """Validate a handoff given as a mapping; raises pydantic.ValidationError naming the field."""
    return HandoffForm.model_validate(raw)


def check_handoff(
    raw: Mapping[str, Any] | HandoffForm,
    required_fields: Iterable[str],
    *,
    context: TicketInformation | None = None,
) -> HandoffCheck:
    """Check a handoff (as the `data.handoff` dict of an `escalation.requested` event) against
    the required fields of its escalation path. Never raises for a bad form: invalid fields are
    reported in the verdict, as the engine must record a refusal rather than crash.
    """
    required = validate_field_names(required_fields)
    try:
        form = raw if isinstance(raw, HandoffForm) else parse_handoff(raw)
    except ValidationError as error:
        return HandoffCheck(complete=False, invalid=_describe(error))
    if context is not None:
        form = with_ticket_context(form, context)
    missing = tuple(name for name in required if not is_filled(form, name))
    return HandoffCheck(
        complete=not missing, missing=missing, score=completeness_score(form), form=form
    )


@dataclass(frozen=True, slots=True)
class HandoffSignals:
    """What the warm/cold rule (`choose_handoff_mode`) reads from a valid form."""

    vip: bool | None
    sentiment: str | None
    prefers_live_transfer: bool | None

    @classmethod
    def of(cls, form: HandoffForm) -> HandoffSignals:
        return cls(
            form.customer_communication.vip,
            form.current_status.customer_sentiment,
            form.customer_communication.prefers_live_transfer,
        )


_KINDS: dict[str, dict[str, str]] = {
    "ticket_information": {
        "ticket_id": "text",
        "priority": "priority",
        "escalation_from": "text",
        "escalation_to": "text",
        "escalation_time": "instant",
        "sla_remaining": "duration",
    },
    "issue_summary": {
        "customer_description": "text",
        "technical_description": "text",
        "impact": "text",
    },
    "troubleshooting": {"steps": "steps", "attachments": "texts"},
    "current_status": {
        "issue_reproduced": "reproduced",
        "workaround_provided": "flag",
        "workaround_details": "text",
        "customer_sentiment": "sentiment",
        "last_customer_communication": "instant",
    },
    "hypothesis": {
        "likely_cause": "text",
        "recommended_action": "text",
        "additional_context": "text",
    },
    "customer_communication": {
        "customer_notified": "flag",
        "notified_at": "instant",
        "expected_update_time": "instant",
        "preferences": "text",
        "prefers_live_transfer": "flag",
        "vip": "flag",
        "relationship_notes": "text",
    },
    "acceptance": {
        "received_by": "text",
        "received_at": "instant",
        "estimated_resolution": "text",
        "additional_resources_needed": "flag",
        "additional_resources_details": "text",
    },
}
"""Every form field by section, with the kind of value it takes (checked against the form's
model by the tests). `steps` and `attachments` are lists that may not be null; the rest are
optional."""

_CHOICES: dict[str, frozenset[str]] = {
    "priority": frozenset(get_args(Priority)),
    "reproduced": frozenset(get_args(Reproduced)),
    "sentiment": frozenset(get_args(Sentiment)),
}
_STEP_FIELDS = frozenset({"step", "result", "time_spent"})


def _valid_duration(value: object) -> bool:
    if type(value) is not str:
        return False
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


def _plain_value(kind: str, value: object) -> bool:
    """Whether `value` is certainly valid for a field of `kind` (False: let pydantic judge)."""
    if value is None:
        return kind not in ("steps", "texts")
    if kind == "text":
        return type(value) is str
    if kind == "flag":
        return type(value) is bool
    if kind in _CHOICES:
        return type(value) is str and value in _CHOICES[kind]
    if kind == "instant":
        return type(value) is str and instant_text_us(value) is not None
    if kind == "duration":
        return _valid_duration(value)
    if kind == "texts":
        return type(value) is list and all(type(item) is str for item in value)
    if kind == "steps":
        return type(value) is list and all(_plain_step(item) for item in value)
    return False


def _plain_step(item: object) -> bool:
    if type(item) is not dict or not item.keys() <= _STEP_FIELDS:
        return False
    step, result, spent = item.get("step"), item.get("result"), item.get("time_spent")
    return (
        type(step) is str
        and len(step) >= 1
        and (result is None or type(result) is str)
        and (spent is None or _valid_duration(spent))
    )


def _filled_value(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return True


def summarise_handoff(
    raw: object, required_fields: Iterable[str], context: Mapping[str, object]
) -> tuple[HandoffCheck, HandoffSignals] | None:
    """`check_handoff` of a valid form given as plain JSON values, without building the form.

    `context` holds the ticket-information values escalon fills in (as `check_handoff`'s
    `context`). Returns None whenever the form or the context is not plainly valid (a wrong
    type, an unknown field, an instant in another format...): the caller then runs
    `check_handoff`, which judges and explains. Where it answers, it agrees with `check_handoff`
    (the tests compare the two), at a small fraction of the cost: an escalation request is
    checked on the engine's hot path.
    """
    required = tuple(required_fields)
    if type(raw) is not dict or not all(name in _DOTTED for name in required):
        return None
    values: dict[str, object] = {}
    for section, fields in raw.items():
        names = _NAMES.get(section)
        if names is None or type(fields) is not dict:
            return None
        for name, value in fields.items():
            known = names.get(name)
            if known is None or not _plain_value(known[1], value):
                return None
            values[known[0]] = value
    for name, value in context.items():
        dotted, kind = _NAMES["ticket_information"][name]
        if value is None or not _plain_value(kind, value):
            return None
        if values.get(dotted) is None:
            values[dotted] = value
    filled = {name for name, value in values.items() if _filled_value(value)}
    for name, parent in _DETAILS_OF.items():
        answer = values.get(parent)
        if answer is False:
            filled.add(name)
        elif answer is None:
            filled.discard(name)
    missing = tuple(name for name in required if name not in filled)
    score = (100 * len(filled & _ORIGINATOR)) // len(ORIGINATOR_FIELDS)
    vip = values.get("customer_communication.vip")
    sentiment = values.get("current_status.customer_sentiment")
    live = values.get("customer_communication.prefers_live_transfer")
    signals = HandoffSignals(
        vip if isinstance(vip, bool) else None,
        sentiment if isinstance(sentiment, str) else None,
        live if isinstance(live, bool) else None,
    )
    return HandoffCheck(complete=not missing, missing=missing, score=score), signals


_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    section: {name: (f"{section}.{name}", kind) for name, kind in fields.items()}
    for section, fields in _KINDS.items()
}
"""Section -> field -> (dotted name, kind)."""
_ORIGINATOR = frozenset(ORIGINATOR_FIELDS)
_DOTTED = frozenset(f"{section}.{name}" for section, fields in _KINDS.items() for name in fields)


def _describe(error: ValidationError) -> tuple[str, ...]:
    return tuple(
        f"{'.'.join(str(part) for part in item['loc']) or 'handoff'}: {item['msg']}"
        for item in error.errors()
    )
