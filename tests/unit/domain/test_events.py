from __future__ import annotations

import pytest
from pydantic import ValidationError

from escalon.domain.events import EVENT_TYPES, TicketCreatedEvent, parse_event, parse_event_json


def test_ticket_created_parses_with_customer() -> None:
    event = parse_event(
        {
            "id": "e1",
            "type": "ticket.created",
            "at": "2025-04-01T09:00:00-04:00",
            "ticket": "T-1",
            "data": {"customer": {"id": "acme", "segment": "enterprise"}, "priority": "P1"},
        }
    )
    assert isinstance(event, TicketCreatedEvent)
    assert event.data.customer.segment == "enterprise"
    assert event.at.utcoffset() is not None


def test_naive_timestamp_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        parse_event_json('{"id": "e1", "type": "tick", "at": "2025-04-01T09:00:00", "ticket": "*"}')
    assert "at" in str(err.value)


def test_unknown_type_and_unknown_field_are_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_event({"id": "e1", "type": "ticket.exploded", "at": "2025-04-01T09:00:00Z"})
    with pytest.raises(ValidationError) as err:
        parse_event(
            {
                "id": "e1",
                "type": "csat.received",
                "at": "2025-04-01T09:00:00Z",
                "ticket": "T-1",
                "data": {"score": 4, "stars": 5},
            }
        )
    assert "stars" in str(err.value)


def test_every_type_is_documented_in_the_tuple() -> None:
    assert "tick" in EVENT_TYPES and "escalation.requested" in EVENT_TYPES
    assert len(set(EVENT_TYPES)) == len(EVENT_TYPES) >= 13
