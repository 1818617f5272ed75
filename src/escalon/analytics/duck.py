"""Every dashboard aggregate computed by DuckDB over the Arrow record tables.

The escalation figures come from one grouping-sets scan plus one scan by tier (medians are the
only costly aggregate, so they are asked for once); tickets, credits, churn and initiatives are
each one small query. No DuckDB extension is used.
"""

from __future__ import annotations

from typing import Any

import duckdb

from escalon.analytics.aggregates import (
    UNKNOWN,
    Aggregates,
    Mean,
    Ratio,
    TeamCounts,
    TierTimes,
    period_label,
    previous_month,
)
from escalon.analytics.records import EscalationRecords
from escalon.analytics.targets import Targets

CHURN_LOOKBACK_DAYS = 90

_DIMENSIONS = (
    "path",
    "reason",
    "product_area",
    "segment",
    "region",
    "over_escalation",
    "from_team",
)


def connect(records: EscalationRecords) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the five record tables registered (zero-copy over Arrow)."""
    con = duckdb.connect(":memory:")
    con.register("escalations", records.escalations)
    con.register("tickets", records.tickets)
    con.register("credits", records.credits)
    con.register("initiatives", records.initiatives)
    con.register("churn", records.churn)
    return con


def _quote(text: str) -> str:
    escaped = text.replace("'", "''")
    return f"'{escaped}'"


def _cost_case(targets: Targets) -> str:
    arms = " ".join(
        f"WHEN {_quote(tier)} THEN {float(cost)!r}"
        for tier, cost in targets.labour_per_hour.items()
    )
    return f"CASE to_tier {arms} ELSE 0.0 END" if arms else "0.0"


def compute_aggregates(con: duckdb.DuckDBPyConnection, period: int, targets: Targets) -> Aggregates:
    agg = Aggregates(period=period)
    agg.previous_total = _scalar(
        con, "SELECT count(*) FROM escalations WHERE month = ?", [previous_month(period)]
    )
    _escalation_dimensions(con, period, agg)
    _tiers(con, period, targets, agg)
    _tickets(con, period, agg)
    agg.credits = float(
        _scalar(
            con,
            "SELECT coalesce(sum(amount), 0) FROM credits WHERE month = ? AND escalated"
            " AND kind = 'service_credit'",
            [period],
        )
    )
    agg.churned_customers = _scalar(
        con,
        f"""SELECT count(DISTINCT c.customer_id) FROM churn c WHERE c.month = ? AND EXISTS (
              SELECT 1 FROM escalations e WHERE e.customer_id = c.customer_id
              AND e.requested_at <= c.at
              AND e.requested_at > c.at - INTERVAL {CHURN_LOOKBACK_DAYS} DAY)""",
        [period],
    )
    rows = con.execute(
        "SELECT kind, count(DISTINCT id) FROM initiatives WHERE month = ? GROUP BY kind", [period]
    ).fetchall()
    agg.initiatives = {str(kind): int(n) for kind, n in rows}
    return agg


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Any:
    row = con.execute(sql, params).fetchone()
    return row[0] if row else 0


def _escalation_dimensions(con: duckdb.DuckDBPyConnection, period: int, agg: Aggregates) -> None:
    sets = ", ".join(f"({d})" for d in _DIMENSIONS)
    grouping = ", ".join(f"grouping({d})" for d in _DIMENSIONS)
    rows = con.execute(
        f"""SELECT [{grouping}], {", ".join(_DIMENSIONS)},
              count(*), count(over_escalation),
              count(*) FILTER (WHERE path <> 'management' AND resolved_at_tier),
              count(*) FILTER (WHERE path <> 'management'
                  AND (resolved_at_tier OR escalated_further OR returned OR rejected)),
              count(*) FILTER (WHERE path <> 'management' AND re_escalation),
              count(*) FILTER (WHERE path <> 'management')
            FROM escalations WHERE month = ?
            GROUP BY GROUPING SETS ((), {sets})""",
        [period],
    ).fetchall()
    targets: dict[str, dict[str, int]] = {
        "path": agg.volume_by_path,
        "reason": agg.reasons,
        "product_area": agg.product_areas,
        "segment": agg.segments,
        "region": agg.regions,
    }
    for row in rows:
        flags = row[0]
        values = row[1 : 1 + len(_DIMENSIONS)]
        n, avoidable, ok, ended, re, functional = row[1 + len(_DIMENSIONS) :]
        if all(flags):
            agg.success = Ratio(int(ok), int(ended))
            agg.re_escalation = Ratio(int(re), int(functional))
            continue
        dim = _DIMENSIONS[list(flags).index(0)]
        key = values[_DIMENSIONS.index(dim)]
        if dim == "over_escalation":
            if key is not None:
                agg.barriers[str(key)] = int(n)
        elif dim == "from_team":
            if key is not None:
                agg.teams[str(key)] = TeamCounts(int(n), int(avoidable))
        else:
            targets[dim][UNKNOWN if key is None else str(key)] = int(n)


def _tiers(con: duckdb.DuckDBPyConnection, period: int, targets: Targets, agg: Aggregates) -> None:
    rows = con.execute(
        f"""SELECT to_tier, count(*), count(resolution_hours) FILTER (WHERE resolved_at_tier),
              avg(resolution_hours) FILTER (WHERE resolved_at_tier),
              median(resolution_hours) FILTER (WHERE resolved_at_tier),
              coalesce(sum(handling_hours * {_cost_case(targets)}), 0)
            FROM escalations WHERE month = ? GROUP BY to_tier""",
        [period],
    ).fetchall()
    for tier, n, resolved, avg, median, cost in rows:
        agg.tiers[str(tier)] = TierTimes(
            int(n),
            int(resolved),
            None if avg is None else float(avg),
            None if median is None else float(median),
        )
        agg.labour_cost += float(cost)


def _tickets(con: duckdb.DuckDBPyConnection, period: int, agg: Aggregates) -> None:
    rows = con.execute(
        """SELECT grouping(category), category, count(*),
              count(*) FILTER (WHERE fcr), count(*) FILTER (WHERE resolved),
              coalesce(sum(csat) FILTER (WHERE escalations > 0), 0),
              count(csat) FILTER (WHERE escalations > 0),
              coalesce(sum(csat) FILTER (WHERE escalations = 0), 0),
              count(csat) FILTER (WHERE escalations = 0)
            FROM tickets WHERE month = ? GROUP BY GROUPING SETS ((), (category))""",
        [period],
    ).fetchall()
    for flag, category, n, fcr, resolved, esc_sum, esc_n, non_sum, non_n in rows:
        if flag:
            agg.tickets = int(n)
            agg.fcr = Ratio(int(fcr), int(resolved))
            agg.csat_escalated = Mean(float(esc_sum), int(esc_n))
            agg.csat_not_escalated = Mean(float(non_sum), int(non_n))
        else:
            key = UNKNOWN if category is None else str(category)
            agg.fcr_by_category[key] = Ratio(int(fcr), int(resolved))


def volume_history(
    con: duckdb.DuckDBPyConnection, period: int, months: int = 12
) -> list[dict[str, Any]]:
    """Escalations by path for each month up to `period` (at most `months`), oldest first."""
    rows = con.execute(
        "SELECT month, path, count(*) FROM escalations WHERE month <= ? GROUP BY ALL ORDER BY 1",
        [period],
    ).fetchall()
    by_month: dict[int, dict[str, int]] = {}
    for month, path, n in rows:
        by_month.setdefault(int(month), {})[str(path)] = int(n)
    keep = sorted(by_month)[-months:]
    return [{"period": period_label(m), "volume_by_path": by_month[m]} for m in keep]
