"""A coaching report for one team or agent: how often they escalate, how often needlessly, why.

The seed's "escalation rate tracking per agent; coaching for over-escalation" as one page: the
subject's escalation and avoidable rates against the organisation's (with the same one-sided
binomial test as the dashboard), the barriers behind its avoidable escalations, where they
concentrate, and the remedy each barrier points to.
"""

from __future__ import annotations

from typing import Any

import duckdb

from escalon.analytics.aggregates import period_label
from escalon.analytics.stats import MIN_ESCALATIONS, SIGNIFICANCE, binomial_upper_tail

REMEDIES = {
    "knowledge_gap": "close the knowledge gap: KB articles and a training session on these issues",
    "tool_limitation": "give L1 the diagnostic access or tool the receiving tier used",
    "authority_limit": "widen L1 authority (e.g. credits or configuration changes) per policy",
    "other": "review these escalations one by one in the team's debrief",
}


class UnknownSubject(ValueError):
    """Neither a team nor an agent of that name escalated or owned tickets in the period."""


def coaching_report(con: duckdb.DuckDBPyConnection, period: int, subject: str) -> dict[str, Any]:
    column = _column_for(con, subject)
    if column is None:
        raise UnknownSubject(f"no team or agent named {subject!r} in the records")
    esc_col = "from_team" if column == "team" else "from_agent"
    org = con.execute(
        """SELECT count(*), count(over_escalation) FROM escalations
           WHERE month = ? AND from_team IS NOT NULL""",
        [period],
    ).fetchone()
    mine = con.execute(
        "SELECT count(*), count(over_escalation) FROM escalations"
        f" WHERE month = ? AND {esc_col} = ?",
        [period, subject],
    ).fetchone()
    tickets = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE escalations > 0),
              (SELECT count(*) FILTER (WHERE escalations > 0) / nullif(count(*), 0)
               FROM tickets WHERE month = ?)
           FROM tickets WHERE month = ? AND {column} = ?""",
        [period, period, subject],
    ).fetchone()
    n_org, k_org = (int(org[0]), int(org[1])) if org else (0, 0)
    n, k = (int(mine[0]), int(mine[1])) if mine else (0, 0)
    org_rate = k_org / n_org if n_org else 0.0
    p_value = binomial_upper_tail(k, n, org_rate)
    barriers = con.execute(
        f"""SELECT over_escalation, count(*) FROM escalations
           WHERE month = ? AND {esc_col} = ? AND over_escalation IS NOT NULL
           GROUP BY ALL ORDER BY 2 DESC, 1""",
        [period, subject],
    ).fetchall()
    hotspots = con.execute(
        f"""SELECT coalesce(category, 'unknown'), coalesce(product_area, 'unknown'), count(*)
           FROM escalations WHERE month = ? AND {esc_col} = ? AND over_escalation IS NOT NULL
           GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 5""",
        [period, subject],
    ).fetchall()
    report: dict[str, Any] = {
        "subject": subject,
        "kind": column,
        "period": period_label(period),
        "tickets": int(tickets[0]) if tickets else 0,
        "escalated_tickets": int(tickets[1]) if tickets else 0,
        "org_escalation_rate": None if not tickets or tickets[2] is None else float(tickets[2]),
        "escalations": n,
        "avoidable": k,
        "avoidable_rate": k / n if n else None,
        "org_avoidable_rate": org_rate,
        "p_value": p_value,
        "significant": n >= MIN_ESCALATIONS and k / n > org_rate and p_value < SIGNIFICANCE,
        "barriers": [{"code": str(c), "escalations": int(m)} for c, m in barriers],
        "hotspots": [
            {"category": str(c), "product_area": str(a), "escalations": int(m)}
            for c, a, m in hotspots
        ],
        "actions": [REMEDIES.get(str(c), REMEDIES["other"]) for c, _ in barriers[:3]],
    }
    t = report["tickets"]
    report["escalation_rate"] = report["escalated_tickets"] / t if t else None
    if column == "team":
        report["agents"] = [
            {"agent": str(a), "escalations": int(m), "avoidable": int(v)}
            for a, m, v in con.execute(
                """SELECT coalesce(from_agent, 'unknown'), count(*), count(over_escalation)
                   FROM escalations WHERE month = ? AND from_team = ?
                   GROUP BY ALL ORDER BY 3 DESC, 2 DESC, 1""",
                [period, subject],
            ).fetchall()
        ]
    return report


def _column_for(con: duckdb.DuckDBPyConnection, subject: str) -> str | None:
    for column, esc_col in (("team", "from_team"), ("agent", "from_agent")):
        row = con.execute(
            f"SELECT (SELECT count(*) FROM tickets WHERE {column} = ?)"
            f" + (SELECT count(*) FROM escalations WHERE {esc_col} = ?)",
            [subject, subject],
        ).fetchone()
        if row and row[0]:
            return column
    return None


def render_coaching_text(report: dict[str, Any]) -> str:
    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1%}"

    head = f"COACHING REPORT — {report['subject']} ({report['kind']}), {report['period']}"
    lines = [head, "=" * len(head), ""]
    lines.append(
        f"Tickets owned: {report['tickets']}, escalated: {report['escalated_tickets']} "
        f"({pct(report['escalation_rate'])}; organisation {pct(report['org_escalation_rate'])})"
    )
    lines.append(
        f"Escalations requested: {report['escalations']}, avoidable: {report['avoidable']} "
        f"({pct(report['avoidable_rate'])}; organisation {pct(report['org_avoidable_rate'])}; "
        f"one-sided p = {report['p_value']:.4f}"
        f"{', significant' if report['significant'] else ', not significant'})"
    )
    if report["barriers"]:
        lines.append(
            "Barriers: "
            + ", ".join(
                f"{b['code'].replace('_', ' ')} {b['escalations']}" for b in report["barriers"]
            )
        )
    for h in report["hotspots"]:
        lines.append(f"  Avoidable in {h['category']} / {h['product_area']}: {h['escalations']}")
    for agent in report.get("agents", [])[:10]:
        lines.append(
            f"  Agent {agent['agent']}: {agent['escalations']} escalations, "
            f"{agent['avoidable']} avoidable"
        )
    if report["actions"]:
        lines.append("Suggested actions:")
        lines += [f"  - {a}" for a in report["actions"]]
    return "\n".join(lines) + "\n"
