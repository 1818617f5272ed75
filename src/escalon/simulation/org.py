"""The simulated organisation: regions with business hours, customers, tiers, teams and agents.

Everything is drawn from one seeded generator so the same seed always yields the same people.
One L1 team, "Team Delta", is deliberately configured to over-escalate, so the dashboard's
coaching line has something true to point at.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from escalon.domain.events import Segment


@dataclass(frozen=True)
class Region:
    """A support region: customers live here and its L1 teams work its business hours."""

    name: str
    zone: ZoneInfo
    customer_share: float
    opens: int = 8
    closes: int = 18


@dataclass(frozen=True)
class Team:
    """A team at one tier; `avoidable_odds` is the chance one of its escalations was avoidable."""

    name: str
    tier: str
    region: str | None
    skills: tuple[str, ...]
    agents: tuple[str, ...]
    avoidable_odds: float = 0.0
    extra_escalation_odds: float = 0.0


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    segment: Segment
    region: str


@dataclass(frozen=True)
class Organisation:
    regions: tuple[Region, ...]
    customers: tuple[Customer, ...]
    teams: tuple[Team, ...]

    def l1_teams(self, region: str) -> list[Team]:
        return [t for t in self.teams if t.tier == "L1" and t.region == region]

    def teams_at(self, tier: str) -> list[Team]:
        return [t for t in self.teams if t.tier == tier]


REGIONS: tuple[Region, ...] = (
    Region("AMER", ZoneInfo("America/New_York"), 0.45),
    Region("EMEA", ZoneInfo("Europe/Berlin"), 0.31),
    Region("APAC", ZoneInfo("Asia/Singapore"), 0.24),
)
SEGMENTS: tuple[Segment, ...] = ("enterprise", "mid-market", "smb")
SEGMENT_SHARES = (0.2, 0.35, 0.45)
CATEGORIES = ("technical", "billing", "general")
# (name, tier, region, skills, agent count, avoidable odds, extra escalation odds)
_TEAMS: tuple[tuple[str, str, str | None, tuple[str, ...], int, float, float], ...] = (
    ("Team Alpha", "L1", "AMER", CATEGORIES, 8, 0.08, 0.0),
    ("Team Delta", "L1", "AMER", CATEGORIES, 6, 0.30, 0.18),
    ("Team Bravo", "L1", "EMEA", CATEGORIES, 9, 0.08, 0.0),
    ("Team Charlie", "L1", "APAC", CATEGORIES, 7, 0.09, 0.0),
    ("Integrations", "L2", None, ("technical",), 5, 0.0, 0.0),
    ("Platform", "L2", None, ("technical", "general"), 5, 0.0, 0.0),
    ("Billing Ops", "L2", None, ("billing",), 3, 0.0, 0.0),
    ("Engineering", "L3", None, ("technical",), 6, 0.0, 0.0),
    ("Vendor Desk", "L4", None, ("technical",), 2, 0.0, 0.0),
    ("Support Management", "management", None, CATEGORIES, 2, 0.0, 0.0),
)
_NAMES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")


def build_organisation(rng: np.random.Generator, customers: int) -> Organisation:
    """Draw customers by segment and region; teams and agents are fixed so names stay stable."""
    region_p = np.array([r.customer_share for r in REGIONS])
    seg_idx = rng.choice(len(SEGMENTS), size=customers, p=np.array(SEGMENT_SHARES))
    reg_idx = rng.choice(len(REGIONS), size=customers, p=region_p / region_p.sum())
    people = tuple(
        Customer(
            id=f"C-{i + 1:05d}",
            name=f"{_NAMES[i % len(_NAMES)]} {i + 1}",
            segment=SEGMENTS[int(seg_idx[i])],
            region=REGIONS[int(reg_idx[i])].name,
        )
        for i in range(customers)
    )
    teams = tuple(
        Team(
            name=name,
            tier=tier,
            region=region,
            skills=skills,
            agents=tuple(
                f"{name.lower().replace('team ', '').replace(' ', '-')}-{k + 1:02d}"
                for k in range(size)
            ),
            avoidable_odds=avoidable,
            extra_escalation_odds=extra,
        )
        for name, tier, region, skills, size, avoidable, extra in _TEAMS
    )
    return Organisation(REGIONS, people, teams)
