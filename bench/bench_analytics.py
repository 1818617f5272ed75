"""Analytics benchmark: every dashboard aggregate over 10,000,000 escalation records, and
`escalon report --db` end to end on a store of 1,000,000 tickets.

DuckDB scans the columnar copy of the record tables (escalon's path); the baseline is a
straightforward pandas implementation of the same aggregates over the same data, measured in the
same run, and the run fails if the two disagree. The pandas code here is also the cross-check
the tests compare DuckDB against.

The store is built once per run: a real store of 10,000 simulated tickets (engine, ingest,
firing), grown to 1,000,000 by copying its events and decisions in SQL under new ticket ids. The
report runs as a subprocess; its baseline is the previous store path (pydantic per event and a
Python walk) timed on the 10,000-ticket store and scaled by 100 (it is linear in events).
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import create_engine, select

from bench.harness import Figure, best_of
from escalon.adapters.db import tables as t
from escalon.adapters.policy_files import load_default_policy
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
from escalon.analytics.items import COUNTED_DECISIONS
from escalon.analytics.records import (
    CHURN_SCHEMA,
    CREDIT_SCHEMA,
    INITIATIVE_SCHEMA,
    EscalationRecords,
    build_records,
)
from escalon.analytics.report import dashboard_for
from escalon.analytics.targets import Targets
from escalon.domain.engine import Decision
from escalon.domain.events import parse_event
from escalon.entrypoints.cli.demo import load_store
from escalon.entrypoints.cli.report import run_engine
from escalon.simulation.ops import simulate_ops

PERIOD = 202504


def _counts(series: pd.Series) -> dict[str, int]:
    counts = series.value_counts(dropna=False)
    return {UNKNOWN if pd.isna(k) else str(k): int(v) for k, v in counts.items() if v}


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
    cost = e["to_tier"].map(targets.labour_per_hour).astype(float).fillna(0.0)
    agg.labour_cost = float((e["handling_hours"] * cost).sum())
    t = tickets[tickets["month"] == period]
    agg.tickets = len(t)
    agg.fcr = Ratio(int(t["fcr"].sum()), int(t["resolved"].sum()))
    by_category = t.groupby("category", observed=True, dropna=False)[["fcr", "resolved"]].sum()
    for category, row in by_category.iterrows():
        key = UNKNOWN if pd.isna(category) else str(category)
        agg.fcr_by_category[key] = Ratio(int(row["fcr"]), int(row["resolved"]))
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


def differences(duck: Aggregates, panda: Aggregates) -> list[str]:
    """The aggregate fields on which the two implementations disagree (floats up to summation
    order: both add millions of values, in different orders)."""

    def close(a: object, b: object) -> bool:
        if isinstance(a, float) or isinstance(b, float):
            if a is None or b is None:
                return a is b
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
        if dataclasses.is_dataclass(a) and type(a) is type(b):
            return all(close(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
        return a == b

    return [
        f.name
        for f in fields(Aggregates)
        if not close(getattr(duck, f.name), getattr(panda, f.name))
    ]


def _metrics_figure(n: int) -> Figure:
    records = synthetic_records(n)
    targets = Targets()
    frames = to_frames(records)
    con = connect(records)  # the columnar copy, written once: int-coded dimensions over Arrow
    duck_agg = compute_aggregates(con, PERIOD, targets)  # warm-up: first query plans and caches
    wrong = differences(duck_agg, pandas_aggregates(frames, PERIOD, targets))
    if wrong:
        raise AssertionError(f"DuckDB and pandas disagree on {', '.join(wrong)}")

    def with_duckdb() -> object:
        return build_dashboard(compute_aggregates(con, PERIOD, targets), targets)

    def with_pandas() -> object:
        return build_dashboard(pandas_aggregates(frames, PERIOD, targets), targets)

    duck = best_of(3, with_duckdb)
    panda = best_of(1, with_pandas)
    label = f"{n:,} escalation + {n:,} ticket records"
    return Figure(
        name=(
            f"all dashboard metrics, DuckDB over a columnar copy built once "
            f"(Arrow, int-coded dimensions; {label}; results equal pandas')"
        ),
        value=duck * 1000,
        unit="ms",
        baseline_name="pandas, same metrics and data",
        baseline_value=panda * 1000,
        target="<= 1000 ms and >= 5x faster than pandas (10M records)",
        met=duck <= 1.0 and panda / duck >= 5.0,
    )


def build_store(path: Path, tickets: int) -> None:
    """A SQLite store as escalon writes it: `tickets` simulated tickets (March-April 2025)
    replayed through the engine, then ingested and fired by the service (`escalon demo`'s
    store)."""
    result = simulate_ops(days=61, tickets=tickets, seed=7, start=datetime(2025, 3, 1, tzinfo=UTC))
    events = [parse_event(e) for e in result.events]
    load_store(path, events, run_engine(events, load_default_policy()).refused_ids)


def copy_tickets(path: Path, copies: int) -> None:
    """Grow a store to `copies` times its tickets, fast: its events and decisions copied in SQL
    with the ticket id suffixed (`T-000001~7`) in the columns and inside the bodies (event ids
    carry the ticket id, so they stay unique). The projections are not copied: the report does
    not read them."""
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        last_event = con.execute("SELECT max(seq) FROM events").fetchone()[0]
        last_decision = con.execute("SELECT max(rowid) FROM decisions").fetchone()[0]
        for copy in range(1, copies):
            suffix = {"s": f"~{copy}"}
            con.execute(
                """INSERT INTO events (id, ticket, type, at, body, digest, recorded_at,
                     recorded_by)
                   SELECT replace(id, ticket, ticket || :s), ticket || :s, type, at,
                     replace(body, ticket, ticket || :s), digest, recorded_at, recorded_by
                   FROM events WHERE seq <= :last ORDER BY seq""",
                {**suffix, "last": last_event},
            )
            con.execute(
                """INSERT INTO decisions (id, ticket, kind, due_at, fired_at, late, reason,
                     policy_version, body)
                   SELECT id || :s, ticket || :s, kind, due_at, fired_at, late, reason,
                     policy_version, replace(body, ticket, ticket || :s)
                   FROM decisions WHERE rowid <= :last ORDER BY rowid""",
                {**suffix, "last": last_decision},
            )
            con.commit()


def previous_store_path(url: str) -> None:
    """What `report --db` did before the bulk read, as the baseline: every body parsed into a
    pydantic event, the counted decisions read, `build_records`' Python walk, the dashboard."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            bodies = conn.execute(
                select(t.events.c.body).order_by(t.events.c.at, t.events.c.seq)
            ).scalars()
            events = [parse_event(body) for body in bodies]
            rows = conn.execute(
                select(
                    t.decisions.c.id,
                    t.decisions.c.ticket,
                    t.decisions.c.kind,
                    t.decisions.c.due_at,
                    t.decisions.c.body,
                )
                .where(t.decisions.c.kind.in_(COUNTED_DECISIONS))
                .order_by(t.decisions.c.due_at, t.decisions.c.id)
            ).all()
    finally:
        engine.dispose()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    decisions = [
        Decision(
            id_,
            kind,
            ticket,
            (due - epoch) // timedelta(microseconds=1),
            "",
            "",
            "",
            dict(body.get("facts", {})),
        )
        for id_, ticket, kind, due, body in rows
    ]
    dashboard_for(build_records(events, (), decisions), "2025-04", Targets())


def _report_seconds(path: Path) -> float:
    """`escalon report --db` as a subprocess, end to end (interpreter start to dashboard out)."""
    command = [sys.executable, "-m", "escalon", "report", "--db", str(path), "--period", "2025-04"]

    def once() -> object:
        return subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    return best_of(2, once)


def _report_figure(base: int, copies: int) -> Figure:
    tickets = base * copies
    with tempfile.TemporaryDirectory(prefix="escalon-bench-report-") as scratch:
        small, large = Path(scratch) / "base.db", Path(scratch) / "store.db"
        build_store(small, base)
        previous = best_of(1, lambda: previous_store_path(f"sqlite:///{small}")) * copies
        shutil.copy(small, large)
        copy_tickets(large, copies)
        seconds = _report_seconds(large)
    return Figure(
        name=f"escalon report --db end to end, SQLite store of {tickets:,} tickets (subprocess)",
        value=seconds,
        unit="s",
        baseline_name=(
            f"previous store path (pydantic per event, Python walk) on {base:,} tickets, x{copies}"
        ),
        baseline_value=previous,
        target="<= 15 s (1,000,000 tickets)",
        met=tickets >= 1_000_000 and seconds <= 15.0,
    )


def run(quick: bool) -> list[Figure]:
    if quick:
        return [_metrics_figure(50_000), _report_figure(1_000, 10)]
    return [_metrics_figure(10_000_000), _report_figure(10_000, 100)]
