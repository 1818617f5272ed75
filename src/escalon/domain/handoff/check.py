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
from typing import Any

from pydantic import ValidationError

from escalon.domain.handoff.form import HANDOFF_FIELDS, HandoffForm, TicketInformation

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


def _describe(error: ValidationError) -> tuple[str, ...]:
    return tuple(
        f"{'.'.join(str(part) for part in item['loc']) or 'handoff'}: {item['msg']}"
        for item in error.errors()
    )
