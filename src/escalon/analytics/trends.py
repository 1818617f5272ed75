"""Trend and prevention analysis: what the monthly escalation review acts on.

Month over month for every scalar figure, the top escalation drivers (product area x reason x
category), recurring issues, ping-pong tickets, reopen-driven escalations and escalation rates
per team and per agent. All computed by DuckDB over the same record tables as the dashboard.
"""

from __future__ import annotations

from typing import Any

import duckdb

from escalon.analytics.aggregates import period_label
from escalon.analytics.dashboard import build_dashboard
from escalon.analytics.duck import compute_aggregates
from escalon.analytics.targets import Targets

MIN_TICKETS_FOR_RATE = 20


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def month_over_month(
    con: duckdb.DuckDBPyConnection, period: int, targets: Targets, months: int = 6
) -> dict[str, Any]:
    """Every scalar figure (no breakdown key) for up to `months` months ending at `period`."""
    found = [
        int(r[0])
        for r in con.execute(
            "SELECT DISTINCT month FROM (SELECT month FROM escalations UNION ALL "
            "SELECT month FROM tickets) WHERE month <= ? ORDER BY 1",
            [period],
        ).fetchall()
    ][-months:]
    series: dict[str, list[float | None]] = {}
    for month in found:
        dash = build_dashboard(compute_aggregates(con, month, targets), targets)
        for f in dash.figures:
            if f.key is None:
                series.setdefault(f.metric, [None] * len(found))
        for f in dash.figures:
            if f.key is None:
                series[f.metric][found.index(month)] = f.value
    return {"months": [period_label(m) for m in found], "metrics": series}


def top_drivers(con: duckdb.DuckDBPyConnection, period: int, limit: int) -> list[dict[str, Any]]:
    return _rows(
        con,
        """SELECT coalesce(product_area, 'unknown') AS product_area, reason,
              coalesce(category, 'unknown') AS category, count(*) AS escalations,
              count(*) / sum(count(*)) OVER () AS share,
              count(over_escalation) AS avoidable
           FROM escalations WHERE month = ? GROUP BY ALL
           ORDER BY escalations DESC, product_area, reason, category LIMIT ?""",
        [period, limit],
    )


def recurring_issues(con: duckdb.DuckDBPyConnection, period: int) -> list[dict[str, Any]]:
    """Issue keys escalated on two or more tickets in the period (the same issue again)."""
    return _rows(
        con,
        """SELECT issue_signature, count(DISTINCT ticket_id) AS tickets,
              count(DISTINCT customer_id) AS customers, count(*) AS escalations
           FROM escalations WHERE month = ? AND issue_signature IS NOT NULL GROUP BY ALL
           HAVING count(DISTINCT ticket_id) >= 2
           ORDER BY tickets DESC, issue_signature LIMIT 10""",
        [period],
    )


def repeat_customer_issues(con: duckdb.DuckDBPyConnection, period: int) -> list[dict[str, Any]]:
    """The same customer escalating the same issue key on several tickets."""
    return _rows(
        con,
        """SELECT customer_id, issue_signature, count(DISTINCT ticket_id) AS tickets
           FROM escalations WHERE month = ? AND issue_signature IS NOT NULL GROUP BY ALL
           HAVING count(DISTINCT ticket_id) >= 2 ORDER BY tickets DESC, customer_id LIMIT 10""",
        [period],
    )


def ping_pong(con: duckdb.DuckDBPyConnection, period: int) -> dict[str, Any]:
    """Tickets sent back down a tier and escalated up again (each down-and-up is one bounce)."""
    rows = _rows(
        con,
        """SELECT ticket_id, tier_bounces, team_changes FROM tickets
           WHERE month = ? AND tier_bounces >= 1
           ORDER BY tier_bounces DESC, team_changes DESC, ticket_id""",
        [period],
    )
    return {"tickets": len(rows), "examples": rows[:10]}


def reopen_driven(con: duckdb.DuckDBPyConnection, period: int) -> dict[str, Any]:
    row = con.execute(
        "SELECT count(*) FILTER (WHERE reopen_driven), count(*) FROM escalations WHERE month = ?",
        [period],
    ).fetchone()
    n, total = (int(row[0]), int(row[1])) if row else (0, 0)
    return {"escalations": n, "share": n / total if total else None}


def escalation_rates(
    con: duckdb.DuckDBPyConnection, period: int, by: str, team: str | None = None
) -> list[dict[str, Any]]:
    """Share of the period's tickets (by first team or agent) that were escalated at least once."""
    column = "team" if by == "team" else "agent"
    where = "AND team = ?" if team is not None else ""
    params: list[Any] = [period] + ([team] if team is not None else [])
    return _rows(
        con,
        f"""SELECT coalesce({column}, 'unknown') AS {column}, count(*) AS tickets,
              count(*) FILTER (WHERE escalations > 0) AS escalated,
              count(*) FILTER (WHERE escalations > 0) / count(*) AS rate
           FROM tickets WHERE month = ? {where} GROUP BY ALL
           ORDER BY rate DESC, {column}""",
        params,
    )


def trends(con: duckdb.DuckDBPyConnection, period: int, targets: Targets) -> dict[str, Any]:
    return {
        "month_over_month": month_over_month(con, period, targets),
        "top_drivers": top_drivers(con, period, targets.top_drivers),
        "recurring_issues": recurring_issues(con, period),
        "repeat_customer_issues": repeat_customer_issues(con, period),
        "ping_pong": ping_pong(con, period),
        "reopen_driven": reopen_driven(con, period),
        "team_escalation_rates": escalation_rates(con, period, "team"),
        "agent_escalation_rates": [
            r
            for r in escalation_rates(con, period, "agent")
            if r["tickets"] >= MIN_TICKETS_FOR_RATE
        ][:15],
    }
