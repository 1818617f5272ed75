"""One line per calendar: `amer: America/New_York, Mon-Fri 09:00-17:00, holidays US`."""

from __future__ import annotations

from escalon.domain.calendar.spec import WEEKDAYS, CalendarSpec, Weekday


def _day_runs(spec: CalendarSpec) -> list[str]:
    """Group consecutive weekdays with the same windows: `Mon-Fri 09:00-17:00`."""
    runs: list[tuple[list[Weekday], list[str]]] = []
    for day in WEEKDAYS:
        windows = spec.hours.get(day)
        if not windows:
            continue
        follows = bool(runs) and WEEKDAYS.index(day) == WEEKDAYS.index(runs[-1][0][-1]) + 1
        if follows and runs[-1][1] == windows:
            runs[-1][0].append(day)
        else:
            runs.append(([day], windows))
    parts = []
    for days, windows in runs:
        label = (
            days[0].capitalize()
            if len(days) == 1
            else f"{days[0].capitalize()}-{days[-1].capitalize()}"
        )
        parts.append(f"{label} {', '.join(windows)}")
    return parts


def calendar_line(name: str, spec: CalendarSpec) -> str:
    """A calendar in one line, as `policy show` and `policy diff` describe it."""
    if spec.always_open:
        return f"{name}: always open ({spec.timezone})"
    holidays = spec.holidays
    source = []
    if holidays.country:
        source.append(
            holidays.country + (f"-{holidays.subdivision}" if holidays.subdivision else "")
        )
    if holidays.dates:
        source.append(
            f"{len(holidays.dates)} explicit date{'s' if len(holidays.dates) != 1 else ''}"
        )
    where = f", holidays {' + '.join(source)}" if source else ", no holidays"
    return f"{name}: {spec.timezone}, {'; '.join(_day_runs(spec)) or 'never open'}{where}"
