"""Simulate a support organisation's month: ticket lives emitted as canonical events.

Seeded and deterministic: the same (seed, days, tickets, start) gives byte-identical output, with
ticket ids `T-000001`... and event ids `<ticket>-<nn>` stable for a seed. Arrivals follow each
region's business hours (mostly 08:00-18:00 local, weekdays, with a midday peak) so a follow-the-
sun organisation looks like one. Escalation paths, reasons, service times, CSAT, credits and
churn are drawn from distributions close to the seed's April 2025 dashboard.

Agents act on the tier a ticket is actually at: when the policy's time criterion escalates a
ticket before its agent would have asked (`TierClock`, the engine's own deadline on the ticket's
calendar), the receiving team picks up the engine's escalation and nobody requests the tier the
ticket has already reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from escalon.adapters.policy_files import load_default_policy
from escalon.analytics.ops_records import OpsRecord
from escalon.domain.policy import Policy
from escalon.simulation.engine_clock import TierClock
from escalon.simulation.handoff import handoff_form
from escalon.simulation.initiatives import simulate_ops_records
from escalon.simulation.org import CATEGORIES, Organisation, Team, build_organisation

PRIORITIES = ("P1", "P2", "P3", "P4")
PRIORITY_SHARES = (0.04, 0.18, 0.52, 0.26)
CATEGORY_SHARES = (0.55, 0.22, 0.23)
PRODUCT_AREAS = ("API integration", "Reporting", "Authentication", "Mobile app", "Data import")
PRODUCT_AREA_SHARES = (0.3, 0.2, 0.18, 0.17, 0.15)
L1_RESOLVE_ODDS = {"technical": 0.66, "billing": 0.84, "general": 0.78}
REASONS_BY_CATEGORY: dict[str, tuple[tuple[str, float], ...]] = {
    "technical": (
        ("technical_complexity", 0.40),
        ("sla_breach_risk", 0.18),
        ("product_bug", 0.17),
        ("integration_issue", 0.13),
        ("customer_requested", 0.10),
        ("other", 0.02),
    ),
    "billing": (("customer_requested", 0.5), ("sla_breach_risk", 0.35), ("other", 0.15)),
    "general": (
        ("customer_requested", 0.40),
        ("sla_breach_risk", 0.32),
        ("technical_complexity", 0.18),
        ("other", 0.10),
    ),
}
OVER_ESCALATION_CODES = (
    ("knowledge_gap", 0.45),
    ("tool_limitation", 0.3),
    ("authority_limit", 0.18),
)
# median hours a tier holds a ticket before resolving it (lognormal, sigma 0.6)
MEDIAN_HOURS = {"L1": 1.2, "L2": 3.5, "L3": 15.0, "L4": 29.0, "management": 20.0}
ONWARD_ODDS = {"L2": 0.2, "L3": 0.2}
REOPEN_ODDS = 0.04
PING_PONG_ODDS = 0.04
MANAGEMENT_ODDS = 0.07


@dataclass(frozen=True)
class SimulationResult:
    events: list[dict[str, Any]]
    records: list[OpsRecord]


@dataclass
class _Ticket:
    """Builds one ticket's events in order; the clock only moves forward."""

    id: str
    at: datetime
    events: list[dict[str, Any]] = field(default_factory=list)

    def instant(self, after_hours: float) -> datetime:
        """When an event emitted `after_hours` from now happens (whole seconds)."""
        return self.at + timedelta(seconds=round(max(after_hours, 0.0) * 3600))

    def hours_until(self, at: datetime) -> float:
        return (at - self.at).total_seconds() / 3600

    def emit(self, kind: str, data: dict[str, Any], after_hours: float = 0.0) -> None:
        self.at = self.instant(after_hours)
        self.events.append(
            {
                "id": f"{self.id}-{len(self.events) + 1:02d}",
                "type": kind,
                "at": self.at,
                "ticket": self.id,
                "data": data,
            }
        )


class _Life:
    """The life of one ticket through the tiers, drawn from the shared generator."""

    def __init__(self, rng: np.random.Generator, org: Organisation, clock: TierClock) -> None:
        self.rng = rng
        self.org = org
        self.clock = clock

    def hours(self, tier: str, scale: float = 1.0) -> float:
        return float(MEDIAN_HOURS[tier] * scale * self.rng.lognormal(0.0, 0.6))

    def pick(self, options: tuple[tuple[str, float], ...]) -> str:
        names = [o[0] for o in options]
        weights = np.array([o[1] for o in options])
        return names[int(self.rng.choice(len(names), p=weights / weights.sum()))]

    def agent(self, team: Team) -> str:
        return team.agents[int(self.rng.integers(len(team.agents)))]

    def l2_team(self, category: str, area: str) -> Team:
        name = "Billing Ops" if category == "billing" else "Integrations"
        if category != "billing" and area != "API integration":
            name = "Platform"
        return next(t for t in self.org.teams_at("L2") if t.name == name)

    def escalate(
        self,
        t: _Ticket,
        to: Team,
        reason: str,
        by: str,
        after: float,
        due: datetime | None,
    ) -> tuple[str, datetime]:
        """Request, accept and assign: the three events of one functional escalation; or, when
        the engine's time criterion (`due`) escalates the ticket before the request would be
        sent, only the receiving team accepting and assigning the engine's escalation.

        Returns the receiving agent and the instant the ticket entered the new tier."""
        agent = self.agent(to)
        if due is not None and t.instant(after) >= due:
            accept = t.hours_until(due) + float(self.rng.uniform(0.05, 0.5))
            t.emit("escalation.accepted", {"by": agent}, accept)
            t.emit("ticket.assigned", {"tier": to.tier, "team": to.name, "agent": agent}, 0.0)
            return agent, due
        t.emit(
            "escalation.requested",
            {
                "to": to.tier,
                "reason": reason,
                "justification": f"{reason.replace('_', ' ')}: beyond {by}'s tier after triage",
                "requested_by": by,
                "warm": bool(self.rng.random() < 0.3),
                "handoff": handoff_form(self.rng, reason=reason, by=by, to_tier=to.tier),
            },
            after,
        )
        requested = t.at
        t.emit("escalation.accepted", {"by": agent}, float(self.rng.uniform(0.05, 0.5)))
        t.emit("ticket.assigned", {"tier": to.tier, "team": to.name, "agent": agent}, 0.0)
        return agent, requested


def simulate_ops(
    *,
    days: int = 30,
    tickets: int = 5000,
    seed: int = 7,
    start: datetime | None = None,
    policy: Policy | None = None,
) -> SimulationResult:
    """Simulate `tickets` tickets arriving over `days` days from `start` (UTC midnight).

    `policy` (default: the embedded default) supplies the time criteria whose escalations the
    engine makes on its own, so the simulated agents never ask for a tier already reached."""
    rng = np.random.default_rng(seed)
    begin = start or datetime(2025, 4, 1, tzinfo=UTC)
    org = build_organisation(rng, max(tickets // 6, 10))
    life = _Life(rng, org, TierClock(policy or load_default_policy()))
    lives: list[_Ticket] = []
    arrivals = _arrivals(rng, org, begin, days, tickets)
    for n, (at, customer_idx) in enumerate(arrivals):
        lives.append(_one_ticket(life, f"T-{n + 1:06d}", at, customer_idx))
    events = [e for t in lives for e in t.events]
    events.sort(key=lambda e: (e["at"], e["id"]))
    for e in events:
        e["at"] = e["at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    return SimulationResult(events, simulate_ops_records(rng, org, events, begin, days))


def _arrivals(
    rng: np.random.Generator, org: Organisation, begin: datetime, days: int, tickets: int
) -> list[tuple[datetime, int]]:
    """Arrival instants in the customers' local business hours, weekdays weighted 4:1."""
    local_days = np.arange(days)
    weekday = np.array([(begin + timedelta(days=int(d))).weekday() < 5 for d in local_days])
    weights = np.where(weekday, 1.0, 0.25)
    day = rng.choice(days, size=tickets, p=weights / weights.sum())
    customer = rng.integers(len(org.customers), size=tickets)
    in_hours = rng.random(tickets) < 0.88
    peak = rng.beta(2.2, 2.2, size=tickets)
    anytime = rng.random(tickets) * 24.0
    zones = {r.name: r for r in org.regions}
    out: list[tuple[datetime, int]] = []
    end = begin + timedelta(days=days)
    for i in range(tickets):
        region = zones[org.customers[int(customer[i])].region]
        hour = (
            region.opens + peak[i] * (region.closes - region.opens) if in_hours[i] else anytime[i]
        )
        local_day = (begin + timedelta(days=int(day[i]))).date()
        local = datetime(local_day.year, local_day.month, local_day.day, tzinfo=region.zone)
        at = (local + timedelta(hours=float(hour))).astimezone(UTC).replace(microsecond=0)
        at = min(max(at, begin), end - timedelta(seconds=1))
        out.append((at, int(customer[i])))
    out.sort(key=lambda a: a[0])
    return out


def _one_ticket(life: _Life, ticket_id: str, at: datetime, customer_idx: int) -> _Ticket:
    rng, org = life.rng, life.org
    customer = org.customers[customer_idx]
    category = CATEGORIES[int(rng.choice(3, p=np.array(CATEGORY_SHARES)))]
    area = PRODUCT_AREAS[int(rng.choice(5, p=np.array(PRODUCT_AREA_SHARES)))]
    priority = PRIORITIES[int(rng.choice(4, p=np.array(PRIORITY_SHARES)))]
    l1_options = org.l1_teams(customer.region)
    l1 = l1_options[int(rng.integers(len(l1_options)))]
    l1_agent = life.agent(l1)
    signature = f"{area.lower().replace(' ', '-')}/{category}-{int(rng.integers(400)):03d}"
    t = _Ticket(ticket_id, at)
    t.emit(
        "ticket.created",
        {
            "subject": f"{area}: {category} question",
            "priority": priority,
            "category": category,
            "product_area": area,
            "customer": {
                "id": customer.id,
                "name": customer.name,
                "segment": customer.segment,
                "region": customer.region,
            },
            "channel": "email" if rng.random() < 0.6 else "chat",
            "tier": "L1",
            "team": l1.name,
            "agent": l1_agent,
            "issue_signature": signature,
            "status": "new",
        },
    )
    work = _Work(
        life, t, l1, l1_agent, category, area, (priority, customer.segment, customer.region)
    )
    escalated = work.from_l1(life.clock.deadline("L1", work.facts, t.at))
    if rng.random() < REOPEN_ODDS:
        resolved = t.at
        t.emit(
            "ticket.reopened", {"reason": "customer reports the issue again"}, life.hours("L1") * 8
        )
        t.emit("ticket.assigned", {"tier": "L1", "team": l1.name, "agent": l1_agent}, 0.0)
        if work.left_l1:
            # back at L1 from a higher tier: the engine starts a fresh budget at tier entry
            due = life.clock.deadline("L1", work.facts, t.at)
        else:
            # never left L1: the solve paused the budget and the reopen resumes what was left
            spent = life.clock.spent("L1", work.facts, work.l1_since, resolved)
            due = life.clock.deadline("L1", work.facts, t.at, spent)
        escalated |= work.from_l1(due, reopened=True)
    if rng.random() < 0.55:
        mean = 3.7 if escalated else 4.35
        score = int(np.clip(round(rng.normal(mean, 0.9)), 1, 5))
        t.emit("csat.received", {"score": score}, float(rng.uniform(1, 30)))
    return t


class _Work:
    """One ticket worked from L1 up the tiers, tracking the tier the engine has it at."""

    def __init__(
        self,
        life: _Life,
        t: _Ticket,
        l1: Team,
        l1_agent: str,
        category: str,
        area: str,
        facts: tuple[str, str, str],
    ) -> None:
        self.life, self.t, self.l1, self.l1_agent = life, t, l1, l1_agent
        self.category, self.area, self.facts = category, area, facts
        self.l1_since = t.at
        self.left_l1 = False

    def _due(self, tier: str, entered: datetime) -> datetime | None:
        return self.life.clock.deadline(tier, self.facts, entered)

    def from_l1(self, due: datetime | None, *, reopened: bool = False) -> bool:
        """L1 works the ticket: resolves it, or escalates it up the tiers (then returns True).

        `due` is when the engine's L1 time criterion escalates the ticket by itself."""
        life, t, l1, l1_agent = self.life, self.t, self.l1, self.l1_agent
        rng = life.rng
        priority, segment, _ = self.facts
        resolve_odds = (
            L1_RESOLVE_ODDS[self.category] - l1.extra_escalation_odds - (0.1 if reopened else 0)
        )
        if priority == "P1":
            resolve_odds -= 0.15
        if rng.random() < resolve_odds:
            hours = life.hours("L1")
            # resolved after the deadline: the engine had escalated it, it is not at L1 any more
            self.left_l1 = due is not None and t.instant(hours) >= due
            t.emit("ticket.resolved", {"by": l1_agent}, hours)
            return False
        avoidable = rng.random() < l1.avoidable_odds
        reason = life.pick(REASONS_BY_CATEGORY[self.category])
        l2 = life.l2_team(self.category, self.area)
        agent, entered = life.escalate(t, l2, reason, l1_agent, life.hours("L1"), due)
        if not avoidable and rng.random() < PING_PONG_ODDS:
            t.emit(
                "ticket.assigned",
                {"tier": "L1", "team": l1.name, "agent": l1_agent},
                life.hours("L2", 0.3),
            )
            back = self._due("L1", t.at)  # back at L1: a fresh budget from tier entry
            agent, entered = life.escalate(t, l2, reason, l1_agent, life.hours("L1", 0.5), back)
        self.left_l1 = True
        management = (
            segment == "enterprise"
            and priority in ("P1", "P2")
            and rng.random() < MANAGEMENT_ODDS * 4
        )
        if management or rng.random() < MANAGEMENT_ODDS / 10:
            # the churn threat is the fact; the engine's management trigger does the escalating
            t.emit("ticket.updated", {"churn_threat": True}, life.hours("L2", 0.2))
            mgmt = life.org.teams_at("management")[0]
            if rng.random() < 0.35:
                amount = int(rng.choice([250, 500, 1000, 2500]))
                t.emit(
                    "credit.requested",
                    {"amount": amount, "kind": "service_credit", "requested_by": mgmt.agents[0]},
                    1.0,
                )
        tier = "L2"
        while not avoidable and tier in ONWARD_ODDS and rng.random() < ONWARD_ODDS[tier]:
            nxt = "L3" if tier == "L2" else "L4"
            team = life.org.teams_at(nxt)[0]
            onward = (
                "vendor_dependency"
                if nxt == "L4"
                else life.pick(
                    (
                        ("product_bug", 0.5),
                        ("technical_complexity", 0.3),
                        ("engineering_required", 0.2),
                    )
                )
            )
            due = self._due(tier, entered)
            agent, entered = life.escalate(t, team, onward, agent, life.hours(tier, 0.6), due)
            tier = nxt
        resolution: dict[str, Any] = {"by": agent}
        if avoidable:
            resolution["over_escalation"] = life.pick(OVER_ESCALATION_CODES + (("other", 0.07),))
        if rng.random() < 0.11:
            resolution["kb_article"] = f"KB-{int(rng.integers(1000, 9999))}"
        t.emit("ticket.resolved", resolution, life.hours(tier, 0.4 if avoidable else 1.0))
        return True
