"""Follow-the-sun coverage: the union of regional calendars, and which region owns a ticket.

Ownership rule: among the regions open at an instant, the one whose current window opened
most recently owns the ticket (the desk that just came online takes over); a tie goes to the
region listed first. When no region is open, the region that opens next owns it (the ticket
waits in that queue), again the first listed on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from escalon.domain.calendar.model import from_us, to_us
from escalon.domain.calendar.timeline import Closure, Interval, TimelineCalendar

Handoff = tuple[datetime, str, str]


class FollowTheSunCalendar(TimelineCalendar):
    """Open whenever any region is open; `1d` is 24 hours of covered time."""

    def __init__(self, name: str, regions: Sequence[TimelineCalendar], zone: tzinfo = UTC) -> None:
        super().__init__()
        if not regions:
            raise ValueError(f"calendar {name!r}: a follow-the-sun calendar needs regions")
        self.name = name
        self.zone = zone
        self.regions: tuple[TimelineCalendar, ...] = tuple(regions)

    @property
    def working_day(self) -> timedelta:
        return timedelta(days=1)

    def _year_of(self, instant: int) -> int:
        return datetime.fromtimestamp(instant / 1_000_000, UTC).year

    def _year_span(self, year: int) -> Interval:
        return (
            to_us(datetime(year, 1, 1, tzinfo=UTC)),
            to_us(datetime(year + 1, 1, 1, tzinfo=UTC)),
        )

    def _year_timeline(self, year: int) -> tuple[list[Interval], list[Closure]]:
        lo, hi = self._year_span(year)
        pieces: list[Interval] = []
        closures: list[Closure] = []
        for region in self.regions:
            pieces.extend(region.open_intervals_us(lo, hi))
            closures.extend(region.closures_us(lo, hi))
        opens: list[Interval] = []
        for a, b in sorted(pieces):
            if opens and a <= opens[-1][1]:
                opens[-1] = (opens[-1][0], max(b, opens[-1][1]))
            else:
                opens.append((a, b))
        return opens, sorted(closures)

    # -- ownership -------------------------------------------------------------------------------

    def owner_us(self, instant: int) -> str:
        """The region owning a ticket at `instant` (see the module rule)."""
        best: tuple[int, int] | None = None
        for index, region in enumerate(self.regions):
            since = region.open_since_us(instant)
            if since is not None and (best is None or since > best[0]):
                best = (since, index)
        if best is None:
            for index, region in enumerate(self.regions):
                opening = region.next_open_us(instant)
                if best is None or opening < best[0]:
                    best = (opening, index)
        assert best is not None
        return self.regions[best[1]].name

    def owner(self, instant: datetime) -> str:
        """The region owning a ticket at `instant`."""
        return self.owner_us(to_us(instant))

    def handoffs(self, start: datetime, end: datetime) -> list[Handoff]:
        """(instant, from region, to region) for each change of owner in (start, end]."""
        start_us, end_us = to_us(start, "start"), to_us(end, "end")
        if end_us < start_us:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        instants = sorted({x for r in self.regions for x in r.boundaries_us(start_us, end_us)})
        found: list[Handoff] = []
        current = self.owner_us(start_us)
        for instant in instants:
            owner = self.owner_us(instant)
            if owner != current:
                found.append((from_us(instant, self.zone), current, owner))
                current = owner
        return found
