"""Analytics benchmark: every dashboard aggregate over 10,000,000 escalation records.

DuckDB scans the Arrow record tables (escalon's path); the baseline is a straightforward pandas
implementation of the same aggregates over the same data, measured in the same run. The pandas
code here is also the cross-check the tests compare DuckDB against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bench.harness import Figure, best_of
from escalon.analytics.aggregates import (
    UNKNOWN,
    Aggregates,
    Mean,
    Ratio,
    TeamCounts,
    TierTimes,
    previous_month,
)
from escalon.analytics.dashboard import build_dashboard
from escalon.analytics.duck import CHURN_LOOKBACK_DAYS, compute_aggregates, connect
from escalon.analytics.records import (
    CHURN_SCHEMA,
    CREDIT_SCHEMA,
    INITIATIVE_SCHEMA,
    EscalationRecords,
)
from escalon.analytics.targets import Targets

PERIOD = 202504


def _counts(series: pd.Series) -> dict[str, int]:
    counts = series.astype(object).fillna(UNKNOWN).value_counts()
    return {str(k): int(v) for k, v in counts.items() if v}


def pandas_aggregates(frames: dict[str, pd.DataFrame], period: int, targets: Targets) -> Aggregates:
    """The dashboard aggregates the obvious pandas way: filter, groupby, sum."""
    esc, tickets = frames["escalations"], frames["tickets"]
    agg = Aggregates(period=period)
    agg.previous_total = int((esc["month"] == previous_month(period)).sum())
    e = esc[esc["month"] == period]
    agg.volume_by_path = _counts(e["path"])
    agg.reasons = _counts(e["reason"])
    agg.product_areas = _counts(e["product_area"])
    agg.segments = _counts(e["segment"])
    agg.regions = _counts(e["region"])
    agg.barriers = _counts(e["over_escalation"].dropna())
    by_team = e.dropna(subset=["from_team"]).groupby("from_team", observed=True)
    sizes, avoidable = by_team.size(), by_team["over_escalation"].count()
    agg.teams = {str(t): TeamCounts(int(sizes[t]), int(avoidable[t])) for t in sizes.index}
    f = e[e["path"] != "management"]
    ended = f["resolved_at_tier"] | f["escalated_further"] | f["returned"] | f["rejected"]
    agg.success = Ratio(int(f["resolved_at_tier"].sum()), int(ended.sum()))
    agg.re_escalation = Ratio(int(f["re_escalation"].sum()), len(f))
    resolved = e[e["resolved_at_tier"]].groupby("to_tier", observed=True)["resolution_hours"]
    stats = resolved.agg(["count", "mean", "median"])
    for tier, n in e.groupby("to_tier", observed=True).size().items():
        row = stats.loc[tier] if tier in stats.index else None
        agg.tiers[str(tier)] = TierTimes(
            int(n),
            0 if row is None else int(row["count"]),
            None if row is None or pd.isna(row["mean"]) else float(row["mean"]),
            None if row is None or pd.isna(row["median"]) else float(row["median"]),
        )
    cost = e["to_tier"].astype(object).map(targets.labour_per_hour).fillna(0.0)
    agg.labour_cost = float((e["handling_hours"] * cost).sum())
    t = tickets[tickets["month"] == period]
    agg.tickets = len(t)
    agg.fcr = Ratio(int(t["fcr"].sum()), int(t["resolved"].sum()))
    for category, group in t.groupby(t["category"].astype(object).fillna(UNKNOWN)):
        agg.fcr_by_category[str(category)] = Ratio(
            int(group["fcr"].sum()), int(group["resolved"].sum())
        )
    escalated = t["escalations"] > 0
    agg.csat_escalated = Mean(
        float(t.loc[escalated, "csat"].sum()), int(t.loc[escalated, "csat"].count())
    )
    agg.csat_not_escalated = Mean(
        float(t.loc[~escalated, "csat"].sum()), int(t.loc[~escalated, "csat"].count())
    )
    c = frames["credits"]
    c = c[(c["month"] == period) & c["escalated"] & (c["kind"] == "service_credit")]
    agg.credits = float(c["amount"].sum())
    churn = frames["churn"]
    churn = churn[churn["month"] == period]
    joined = churn.merge(esc[["customer_id", "requested_at"]], on="customer_id")
    window = (joined["requested_at"] <= joined["at"]) & (
        joined["requested_at"] > joined["at"] - pd.Timedelta(days=CHURN_LOOKBACK_DAYS)
    )
    agg.churned_customers = int(joined.loc[window, "customer_id"].nunique())
    ini = frames["initiatives"]
    ini = ini[ini["month"] == period]
    agg.initiatives = {str(k): int(v) for k, v in ini.groupby("kind")["id"].nunique().items()}
    return agg


def to_frames(records: EscalationRecords) -> dict[str, pd.DataFrame]:
    return {
        name: getattr(records, name).to_pandas()
        for name in ("escalations", "tickets", "credits", "initiatives", "churn")
    }


def _pick(
    rng: np.random.Generator, values: list[str], n: int, p: list[float] | None = None
) -> pa.Array:
    weights = None if p is None else np.array(p) / np.sum(p)
    idx = rng.choice(len(values), size=n, p=weights).astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(values, pa.string()))


def synthetic_records(n: int, seed: int = 1) -> EscalationRecords:
    """`n` escalation and `n` ticket records (90% in April 2025, 10% in March), built in numpy.

    Same columns as `ESCALATION_SCHEMA` / `TICKET_SCHEMA`, with low-cardinality strings
    dictionary-encoded (as a Parquet copy would be); both engines read the same tables."""
    rng = np.random.default_rng(seed)
    april = rng.random(n) < 0.9
    month = np.where(april, PERIOD, PERIOD - 1).astype(np.int32)
    start = np.where(april, 1743465600, 1740787200)  # 2025-04-01 and 2025-03-01 UTC
    at = pa.array((start + rng.integers(0, 29 * 86400, n)) * 1_000_000).cast(
        pa.timestamp("us", tz="UTC")
    )
    ids = pc.cast(pa.array(np.arange(n)), pa.string())
    customers = [f"C-{i:05d}" for i in range(20_000)]
    path = _pick(rng, ["L1->L2", "L2->L3", "L3->L4", "management"], n, [70, 22, 5.5, 2.5])
    to_tier = pc.if_else(
        pc.equal(path, "management"),
        "management",
        pc.utf8_slice_codeunits(pc.cast(path, pa.string()), 4),
    )
    outcome = rng.choice(4, size=n, p=[0.78, 0.12, 0.05, 0.05])
    resolved = outcome == 0
    hours = rng.lognormal(1.5, 0.8, n)
    over = rng.random(n) < 0.12
    esc = {
        "escalation_id": ids,
        "ticket_id": ids,
        "requested_at": at,
        "month": month,
        "from_tier": pc.utf8_slice_codeunits(pc.cast(path, pa.string()), 0, 2),
        "to_tier": to_tier,
        "path": pc.cast(path, pa.string()),
        "reason": _pick(
            rng,
            [
                "technical_complexity",
                "sla_breach_risk",
                "customer_requested",
                "product_bug",
                "integration_issue",
                "other",
            ],
            n,
            [33, 22, 17, 14, 9, 5],
        ),
        "from_team": _pick(rng, ["Team Alpha", "Team Bravo", "Team Charlie", "Team Delta"], n),
        "from_agent": _pick(rng, [f"agent-{i:02d}" for i in range(40)], n),
        "to_team": _pick(rng, ["Integrations", "Platform", "Engineering", "Vendor Desk"], n),
        "priority": _pick(rng, ["P1", "P2", "P3", "P4"], n),
        "category": _pick(rng, ["technical", "billing", "general"], n),
        "product_area": _pick(
            rng, ["API integration", "Reporting", "Mobile app", "Data import"], n
        ),
        "segment": _pick(rng, ["enterprise", "mid-market", "smb"], n, [42, 30, 28]),
        "region": _pick(rng, ["AMER", "EMEA", "APAC"], n, [45, 31, 24]),
        "customer_id": _pick(rng, customers, n),
        "issue_signature": _pick(rng, [f"sig-{i}" for i in range(500)], n),
        "resolved_at_tier": resolved,
        "escalated_further": outcome == 1,
        "returned": outcome == 2,
        "rejected": np.zeros(n, dtype=bool),
        "resolution_hours": pa.array(np.where(resolved, hours, np.nan), from_pandas=True),
        "handling_hours": pa.array(np.where(outcome < 3, hours, np.nan), from_pandas=True),
        "re_escalation": rng.random(n) < 0.06,
        "reopen_driven": rng.random(n) < 0.03,
        "over_escalation": pa.array(
            np.where(
                over, rng.choice(["knowledge_gap", "tool_limitation", "authority_limit"], n), None
            )
        ),
    }
    escalations = pa.table(esc)
    has_esc = rng.random(n) < 0.35
    csat = rng.integers(1, 6, n).astype(np.int8)
    tickets = pa.table(
        {
            "ticket_id": ids,
            "created_at": at,
            "month": month,
            "customer_id": esc["customer_id"],
            "priority": esc["priority"],
            "category": esc["category"],
            "product_area": esc["product_area"],
            "segment": esc["segment"],
            "region": esc["region"],
            "team": esc["from_team"],
            "agent": esc["from_agent"],
            "escalations": has_esc.astype(np.int32),
            "reopens": np.zeros(n, dtype=np.int32),
            "tier_bounces": np.zeros(n, dtype=np.int32),
            "team_changes": np.zeros(n, dtype=np.int32),
            "resolved": rng.random(n) < 0.95,
            "fcr": ~has_esc & (rng.random(n) < 0.9),
            "csat": pa.array(np.where(rng.random(n) < 0.5, csat, 0), mask=rng.random(n) < 0.5),
        }
    )
    credits = pa.Table.from_pylist(
        [
            {
                "ticket_id": "0",
                "at": None,
                "month": PERIOD,
                "amount": 500.0,
                "kind": "service_credit",
                "escalated": True,
            }
        ],
        schema=CREDIT_SCHEMA,
    )
    return EscalationRecords(
        escalations=escalations,
        tickets=tickets,
        credits=credits,
        initiatives=pa.Table.from_pylist([], schema=INITIATIVE_SCHEMA),
        churn=pa.Table.from_pylist([], schema=CHURN_SCHEMA),
    )


def run(quick: bool) -> list[Figure]:
    n = 50_000 if quick else 10_000_000
    records = synthetic_records(n)
    targets = Targets()
    frames = to_frames(records)
    con = connect(records)
    compute_aggregates(con, PERIOD, targets)  # warm-up: first query plans and caches

    def with_duckdb() -> object:
        return build_dashboard(compute_aggregates(con, PERIOD, targets), targets)

    def with_pandas() -> object:
        return build_dashboard(pandas_aggregates(frames, PERIOD, targets), targets)

    duck = best_of(3, with_duckdb)
    panda = best_of(1, with_pandas)
    label = f"{n:,} escalation + {n:,} ticket records"
    return [
        Figure(
            name=f"all dashboard metrics, DuckDB over Arrow ({label})",
            value=duck * 1000,
            unit="ms",
            baseline_name="pandas, same metrics and data",
            baseline_value=panda * 1000,
            target="<= 1000 ms and >= 5x faster than pandas (10M records)",
            met=duck <= 1.0 and panda / duck >= 5.0,
        )
    ]
