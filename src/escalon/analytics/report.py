"""From records to a dashboard for one period: the use case behind `escalon report`."""

from __future__ import annotations

from escalon.analytics.aggregates import parse_period
from escalon.analytics.dashboard import Dashboard, build_dashboard
from escalon.analytics.duck import compute_aggregates, connect, volume_history
from escalon.analytics.records import EscalationRecords
from escalon.analytics.targets import Targets
from escalon.analytics.trends import trends


def default_period(records: EscalationRecords) -> int | None:
    """The latest month in which tickets were created (else escalations were requested).

    Escalations of a month's tickets spill into the next days; the month that *opened* tickets
    is the one a monthly review means."""
    created = [m for m in records.tickets.column("month").to_pylist() if m is not None]
    if created:
        return int(max(created))
    months = records.months()
    return months[-1] if months else None


def resolve_period(records: EscalationRecords, period: str | int | None) -> int:
    """`2025-04`, 202504 or None (the default period); ValueError when there is nothing."""
    key = parse_period(period) if isinstance(period, str) else period
    if key is None:
        key = default_period(records)
    if key is None:
        raise ValueError(
            "no tickets or escalations to report on; give --period to get an empty report"
        )
    return key


def dashboard_for(
    records: EscalationRecords,
    period: str | int | None,
    targets: Targets,
    *,
    with_trends: bool = True,
) -> Dashboard:
    """The dashboard for `period` (yyyy-mm, yyyymm or None for the latest month with data)."""
    key = resolve_period(records, period)
    con = connect(records)
    try:
        dash = build_dashboard(compute_aggregates(con, key, targets), targets)
        dash.history = volume_history(con, key)
        if with_trends:
            dash.trends = trends(con, key, targets)
        return dash
    finally:
        con.close()
