"""When the policy's time criteria escalate a simulated ticket on their own.

The engine escalates a ticket that stays at a tier longer than the path's `time` criterion allows
(L1 -> L2 after 2 business hours since opening, L2 -> L3 after 8 business hours at L2, in the
default policy). A simulated agent who asked for the next tier after that instant would be asking
for the tier the ticket is already at, which the engine refuses. So the simulation computes the
same deadline on the same calendars as the engine (`Rulebook`: the ticket's calendar by priority
and region, business or calendar clock) and, when the engine comes first, the receiving team picks
up the engine's escalation instead of the agent requesting it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from escalon.domain.engine.rulebook import Rulebook, rulebook_for
from escalon.domain.policy import Policy
from escalon.domain.policy.criteria import TimeCriterion

_US = 1_000_000


def _us(at: datetime) -> int:
    return int(at.timestamp()) * _US + at.microsecond


def _at(us: int) -> datetime:
    return datetime.fromtimestamp(us // _US, UTC).replace(microsecond=us % _US)


class TierClock:
    """The engine's `tier_time` budget of each tier, for one policy."""

    def __init__(self, policy: Policy) -> None:
        self._book: Rulebook = rulebook_for(policy)

    def _criterion(self, tier: str, priority: str, segment: str) -> TimeCriterion | None:
        path = self._book.path_from.get(tier)
        if path is None:
            return None
        for criterion in path.criteria:
            if (
                isinstance(criterion, TimeCriterion)
                and (criterion.priorities is None or priority in criterion.priorities)
                and (criterion.segments is None or segment in criterion.segments)
            ):
                return criterion
        return None

    def since_opened(self, tier: str, priority: str, segment: str) -> bool:
        """Whether the tier's budget counts from the ticket's opening rather than tier entry."""
        criterion = self._criterion(tier, priority, segment)
        return criterion is not None and criterion.since == "opened"

    def deadline(
        self,
        tier: str,
        ticket: tuple[str, str, str | None],
        start: datetime,
        used_us: int = 0,
    ) -> datetime | None:
        """When the engine escalates out of `tier` by time, counting from `start` with `used_us`
        of the budget already spent; None when the tier's path has no time criterion.

        `ticket` is (priority, segment, region), what the engine picks the calendar by."""
        priority, segment, region = ticket
        criterion = self._criterion(tier, priority, segment)
        if criterion is None:
            return None
        calendar = self._calendar(criterion, priority, region)
        budget = self._book.span(criterion.threshold, calendar) - used_us
        return _at(self._book.calendars[calendar].add_us(_us(start), max(budget, 0)))

    def spent(
        self, tier: str, ticket: tuple[str, str, str | None], start: datetime, end: datetime
    ) -> int:
        """Microseconds of the tier's budget that pass between `start` and `end`."""
        priority, segment, region = ticket
        criterion = self._criterion(tier, priority, segment)
        if criterion is None:
            return 0
        calendar = self._book.calendars[self._calendar(criterion, priority, region)]
        return calendar.elapsed_us(_us(start), _us(end))

    def _calendar(self, criterion: TimeCriterion, priority: str, region: str | None) -> str:
        ticket_calendar = self._book.calendar_for(priority, region)
        return self._book.clock_calendar(criterion.clock, ticket_calendar)
