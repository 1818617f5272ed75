"""Durations as users write them in policies and on the command line: `90m`, `4h`, `1h30m`, `2d`.

Days are kept apart from hours because their meaning depends on the calendar: on a 24x7 calendar
a day is 24 real hours; on a business calendar it is one working day (see `Duration.on`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+)\s*([dhms])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[dhms]\s*)+$")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True, slots=True)
class Duration:
    """A non-negative span: whole `days` plus `seconds`."""

    days: int = 0
    seconds: int = 0

    def __post_init__(self) -> None:
        if self.days < 0 or self.seconds < 0:
            raise ValueError("a duration cannot be negative")

    def on(self, working_day: timedelta) -> timedelta:
        """The span on a calendar whose day is `working_day` long (24 h on 24x7)."""
        return self.days * working_day + timedelta(seconds=self.seconds)

    @property
    def as_timedelta(self) -> timedelta:
        """The span with days as 24 real hours."""
        return self.on(timedelta(days=1))

    def __str__(self) -> str:
        return format_duration(timedelta(seconds=self.seconds), days=self.days)


def parse_duration(text: str) -> Duration:
    """Parse `90m`, `4h`, `1h30m`, `2d`, `45s`; raise ValueError with the offending text."""
    if not isinstance(text, str) or not _WHOLE.match(text):
        raise ValueError(f"invalid duration {text!r}: use forms like 90m, 4h, 1h30m or 2d")
    days = 0
    seconds = 0
    for amount, unit in _PART.findall(text):
        if unit == "d":
            days += int(amount)
        else:
            seconds += int(amount) * _UNIT_SECONDS[unit]
    return Duration(days=days, seconds=seconds)


def format_duration(span: timedelta, *, days: int = 0) -> str:
    """Render a span compactly: `2h05m`, `45m`, `1d4h`, `0m`; negative spans get a minus sign."""
    total = int(span.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours:
        parts.append(f"{hours}h")
    if minutes or (hours and secs):
        parts.append(f"{minutes:02d}m" if hours else f"{minutes}m")
    if secs:
        parts.append(f"{secs:02d}s" if (hours or minutes) else f"{secs}s")
    return sign + ("".join(parts) or "0m")


def _coerce(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, timedelta):
        return Duration(seconds=int(value.total_seconds()))
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}: write a unit, e.g. {value}m or {value}h")
    return parse_duration(value)


DurationField = Annotated[
    Duration,
    BeforeValidator(_coerce),
    PlainSerializer(str, return_type=str),
]
"""A pydantic field type accepting `4h`-style text and serialising back to it."""
