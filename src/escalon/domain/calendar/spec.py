"""How a calendar is written in a policy file; `escalon.domain.calendar` builds it into arithmetic.

Kept apart from the policy model so that the calendar code and the policy code share one
definition and neither imports the other's internals.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def parse_window(text: str) -> tuple[time, time | None]:
    """`09:00-17:00` -> (09:00, 17:00); an end of `24:00` is returned as None (end of day)."""
    match = _WINDOW.match(text.strip())
    if not match:
        raise ValueError(f"invalid window {text!r}: use HH:MM-HH:MM, e.g. 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"invalid window {text!r}: hours 00-23 (24:00 only as an end)")
    start = time(h1, m1)
    end = None if h2 == 24 else time(h2, m2)
    if end is not None and end <= start:
        raise ValueError(f"invalid window {text!r}: the end must be after the start")
    return start, end


def _check_windows(windows: list[str]) -> list[str]:
    for window in windows:
        parse_window(window)
    return windows


class HolidayDate(BaseModel):
    """An explicit holiday; with `hours` it is a half day open only in those windows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    name: str = "Holiday"
    hours: list[str] | None = None

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_windows(value)


class HolidaySource(BaseModel):
    """Public holidays from the `holidays` package by country/subdivision, plus explicit dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str | None = None
    subdivision: str | None = None
    dates: list[HolidayDate] = Field(default_factory=list)


class CalendarSpec(BaseModel):
    """A named calendar: an IANA zone and weekly windows, or always open (24x7)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    always_open: bool = False
    hours: dict[Weekday, list[str]] = Field(default_factory=dict)
    holidays: HolidaySource = Field(default_factory=HolidaySource)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("hours")
    @classmethod
    def _valid_windows(cls, value: dict[Weekday, list[str]]) -> dict[Weekday, list[str]]:
        for windows in value.values():
            _check_windows(windows)
        return value
