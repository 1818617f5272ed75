"""The engine's working copy of a canonical event: plain values, instants as epoch microseconds.

Validating a canonical event costs more than the engine spends deciding on it, so validation
happens once at the edge (`parse_event`), and the engine keeps this light record in its per-ticket
history. Trusted producers (the benchmark generator, storage) build records directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from escalon.domain.events import Event, parse_event, plain_event

_CREATING = "ticket.created"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass(slots=True)
class EventRecord:
    """`data` holds only the fields the event set (JSON-safe values)."""

    id: str
    type: str
    at: int
    ticket: str
    data: dict[str, Any]

    @classmethod
    def from_event(cls, event: Event) -> EventRecord:
        data = _plain(event.data.model_dump(mode="python", exclude_unset=True))
        return cls(event.id, event.type, _epoch_us(event.at), event.ticket, data)

    @classmethod
    def from_json(cls, raw: Any) -> EventRecord:
        """A record from one event as parsed JSON (e.g. a line of a JSONL file).

        Plainly valid events are checked field by field against the schema (`plain_event`);
        the rest go through `parse_event`, which raises `pydantic.ValidationError` naming the
        field. Either way the record is the one `from_event(parse_event(raw))` gives."""
        plain = plain_event(raw)
        if plain is None:
            return cls.from_event(parse_event(raw))
        return cls(*plain)

    @property
    def creates(self) -> bool:
        return self.type == _CREATING

    def order_key(self) -> int:
        """Time order for a stable sort: events at the same instant keep their arrival (file)
        order, as the source system recorded them; ids are opaque and never order events."""
        return self.at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "at": self.at,
            "ticket": self.ticket,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> EventRecord:
        return cls(
            str(raw["id"]), str(raw["type"]), int(raw["at"]), str(raw["ticket"]), dict(raw["data"])
        )


_EPOCH_NAIVE = datetime(1970, 1, 1)


def _epoch_us(instant: datetime) -> int:
    offset = instant.utcoffset()
    if offset is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone")
    delta = instant.replace(tzinfo=None) - offset - _EPOCH_NAIVE
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def instant_us(instant: datetime) -> int:
    """Epoch microseconds of an aware datetime (exact)."""
    return _epoch_us(instant)
