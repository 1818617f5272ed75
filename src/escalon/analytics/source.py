"""Reading what the dashboard is computed from: a canonical events JSON Lines file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from escalon.domain.events import Event, parse_event_json


class EventFileError(ValueError):
    """A line that is not a canonical event; the message names file, line and field."""


def parse_event_lines(lines: Iterable[str | bytes], source: str = "events") -> list[Event]:
    events: list[Event] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            events.append(parse_event_json(line))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "line"
            raise EventFileError(f"{source}:{number}: {where}: {error['msg']}") from None
    return events


def read_events(path: Path) -> list[Event]:
    with path.open("rb") as handle:
        return parse_event_lines(handle, str(path))
