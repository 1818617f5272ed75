"""Every dashboard aggregate computed by DuckDB over the Arrow record tables.

The escalation figures come from one grouping-sets scan plus one scan by tier (medians are the
only costly aggregate, so they are asked for once) over the integer-coded columnar copy
(`analytics.columnar`); tickets, credits, churn and initiatives are each one small query. The
text tables stay registered too, for the trend queries. No DuckDB extension is used.
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
from escalon.analytics.columnar import coded_copy
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


_CODED_ESCALATION_COLUMNS = (*_DIMENSIONS, "to_tier")


def connect(records: EscalationRecords) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB over the record tables (zero-copy over Arrow) and their coded copy."""
    con = duckdb.connect(":memory:")
    con.register("escalations", records.escalations)
    con.register("tickets", records.tickets)
    coded, dictionaries = coded_copy(records.escalations, _CODED_ESCALATION_COLUMNS)
    con.register("escalation_codes", coded)
    coded_tickets, ticket_dictionaries = coded_copy(records.tickets, ("category",))
    con.register("ticket_codes", coded_tickets)
    for name, table in (*dictionaries.items(), *ticket_dictionaries.items()):
        con.register(f"codes_{name}", table)
    con.register("credits", records.credits)
    con.register("initiatives", records.initiatives)
    con.register("churn", records.churn)
    return con


def _quote(text: str) -> str:
    escaped = text.replace("'", "''")
    return f"'{escaped}'"


def _code_of(column: str, value: str) -> str:
    """SQL for the code of `value` in a coded column (-1 when the value never occurs)."""
    return f"coalesce((SELECT code FROM codes_{column} WHERE value = {_quote(value)}), -1)"


def compute_aggregates(con: duckdb.DuckDBPyConnection, period: int, targets: Targets) -> Aggregates:
    agg = Aggregates(period=period)
    agg.previous_total = _scalar(
        con, "SELECT count(*) FROM escalation_codes WHERE month = ?", [previous_month(period)]
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
    names = ", ".join(f"c_{d}.value" for d in _DIMENSIONS)
    joins = " ".join(f"LEFT JOIN codes_{d} c_{d} ON g.{d} = c_{d}.code" for d in _DIMENSIONS)
    functional = f"path <> {_code_of('path', 'management')}"
    dims = ", ".join(_DIMENSIONS)
    # one hash aggregate over all dimensions and the outcome flags at once (tens of thousands of
    # groups, counts only: no per-row filter expressions), then the marginals and the success
    # and re-escalation counts from that small cube: the 10M-row scan happens once
    rows = con.execute(
        f"""WITH flagged AS (
              SELECT {dims}, resolved_at_tier AS resolved,
                escalated_further OR returned OR rejected AS other_end, re_escalation AS re,
                count(*) AS n
              FROM escalation_codes WHERE month = ? GROUP BY ALL),
            cube AS (
              SELECT {dims}, n, CASE WHEN over_escalation IS NULL THEN 0 ELSE n END AS avoidable,
                CASE WHEN {functional} AND resolved THEN n ELSE 0 END AS ok,
                CASE WHEN {functional} AND (resolved OR other_end) THEN n ELSE 0 END AS ended,
                CASE WHEN {functional} AND re THEN n ELSE 0 END AS re,
                CASE WHEN {functional} THEN n ELSE 0 END AS functional
              FROM flagged),
            g AS (
              SELECT [{grouping}] AS flags, {dims}, coalesce(sum(n), 0) AS n,
                coalesce(sum(avoidable), 0) AS avoidable, coalesce(sum(ok), 0) AS ok,
                coalesce(sum(ended), 0) AS ended, coalesce(sum(re), 0) AS re,
                coalesce(sum(functional), 0) AS functional
              FROM cube GROUP BY GROUPING SETS ((), {sets}))
            SELECT flags, {names}, n, avoidable, ok, ended, re, functional FROM g {joins}""",
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
        """WITH g AS (
              SELECT to_tier, count(*) AS n,
                count(resolution_hours) FILTER (WHERE resolved_at_tier) AS resolved,
                avg(resolution_hours) FILTER (WHERE resolved_at_tier) AS avg_hours,
                median(resolution_hours) FILTER (WHERE resolved_at_tier) AS median_hours,
                coalesce(sum(handling_hours), 0) AS handling
              FROM escalation_codes WHERE month = ? GROUP BY to_tier)
            SELECT c.value, n, resolved, avg_hours, median_hours, handling
            FROM g LEFT JOIN codes_to_tier c ON g.to_tier = c.code""",
        [period],
    ).fetchall()
    for tier, n, resolved, avg, median, handling in rows:
        agg.tiers[str(tier)] = TierTimes(
            int(n),
            int(resolved),
            None if avg is None else float(avg),
            None if median is None else float(median),
        )
        agg.labour_cost += float(handling) * targets.labour_per_hour.get(str(tier), 0.0)


def _tickets(con: duckdb.DuckDBPyConnection, period: int, agg: Aggregates) -> None:
    # counts by every combination of the few flags (a hundred groups), summed per category
    rows = con.execute(
        """WITH cube AS (
              SELECT category, fcr, resolved, escalations > 0 AS escalated, csat, count(*) AS n
              FROM ticket_codes WHERE month = ? GROUP BY ALL),
            g AS (
              SELECT grouping(category) AS flag, category, coalesce(sum(n), 0) AS n,
                coalesce(sum(n) FILTER (WHERE fcr), 0) AS fcr,
                coalesce(sum(n) FILTER (WHERE resolved), 0) AS resolved,
                coalesce(sum(csat * n) FILTER (WHERE escalated), 0) AS esc_sum,
                coalesce(sum(n) FILTER (WHERE escalated AND csat IS NOT NULL), 0) AS esc_n,
                coalesce(sum(csat * n) FILTER (WHERE NOT escalated), 0) AS non_sum,
                coalesce(sum(n) FILTER (WHERE NOT escalated AND csat IS NOT NULL), 0) AS non_n
              FROM cube GROUP BY GROUPING SETS ((), (category)))
            SELECT flag, c.value, n, fcr, resolved, esc_sum, esc_n, non_sum, non_n
            FROM g LEFT JOIN codes_category c ON g.category = c.code""",
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
