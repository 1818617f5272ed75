"""Escalation records for every ticket at once: `build_records`' walk, run in lockstep with numpy.

`records.build_records` walks one event at a time in Python; it is the reference, and what an
events file goes through. For a store of a million tickets that walk alone would take longer than
the whole report may, so this module runs the same state machine over all tickets together: step
k applies every ticket's k-th item (event or engine decision, in time order) to arrays of
per-ticket state, with a few dozen vector operations over the tickets that have a k-th item. The
number of steps is the length of the longest ticket history, not the number of events.

The rules are exactly those of `records.py` (docs/metrics.md "How events become records"); a test
builds both from the same events and decisions and compares them record for record.

Input: `Items`, one row per event or decision, sorted by ticket, then instant, then events before
decisions, then arrival order; text columns as int32 codes into shared dictionaries (-1 = null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from escalon.analytics.records import MANAGEMENT_TIERS

# item kinds
CREATED, UPDATED, REQUESTED, REJECTED, ASSIGNED, RESOLVED, REOPENED, CSAT, CREDIT = range(9)
ENGINE_ESCALATE, ENGINE_MANAGEMENT = 9, 10

# outcome of a functional escalation
_NONE, _RESOLVED, _FURTHER, _RETURNED, _REJECTED = range(5)

ATTRIBUTES = ("priority", "category", "product_area", "segment", "region", "customer_id")
"""Ticket attributes an escalation record snapshots (plus `issue_signature`)."""

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]
F64 = NDArray[np.float64]

_US_PER_HOUR = 3_600_000_000


@dataclass
class Coded:
    """Int32 codes (-1 for null) into `dictionary`."""

    codes: I32
    dictionary: pa.Array


@dataclass
class Items:
    """The sorted item table, as numpy arrays (see the module docstring)."""

    ticket: I32  # dense ticket index, non-decreasing
    ticket_ids: pa.Array  # ticket index -> ticket id
    kind: NDArray[np.int8]
    at: I64  # epoch microseconds
    source_row: I64  # item -> its row in the text columns below (kept in arrival order)
    item_id: pa.Array  # event or decision id, per source row
    tiers: pa.Array  # dictionary shared by `to`, `tier` and `from_tier`
    to: I32
    tier: I32
    from_tier: I32
    team: Coded
    agent: Coded
    reason: Coded
    over_escalation: Coded
    kb_article: pa.Array  # per source row
    kb_given: B
    score: NDArray[np.int16]  # -1 when absent
    amount: F64
    credit_kind: pa.Array  # per source row
    attributes: dict[str, Coded]  # ATTRIBUTES + issue_signature
    has_customer: B  # ticket.updated carried a customer


@dataclass
class Walked:
    """Record columns, ready to become Arrow tables."""

    escalations: dict[str, pa.Array]
    tickets: dict[str, pa.Array]
    credits: dict[str, pa.Array]
    kb_articles: dict[str, pa.Array]


def _rank(tier: str | None) -> int:
    found = re.fullmatch(r"[Ll](\d+)", (tier or "").strip())
    return int(found.group(1)) if found else -1


def _decoded(codes: I32, dictionary: pa.Array) -> pa.Array:
    """Codes back to a dictionary-encoded Arrow column (nulls where the code is -1)."""
    indices = pa.array(codes, type=pa.int32(), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _timestamps(us: I64) -> pa.Array:
    return pa.array(us, type=pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def _hours(us: I64) -> F64:
    """Elapsed microseconds as hours, computed as `timedelta.total_seconds() / 3600` does."""
    return (us.astype(np.float64) / 1e6) / 3600.0


class _Walk:
    """Per-ticket state (arrays over tickets) and per-item record slots (arrays over items)."""

    def __init__(self, items: Items) -> None:
        self.items = items
        n_items, n_tickets = len(items.kind), len(items.ticket_ids)
        tiers = items.tiers.to_pylist()
        self.management_code = len(tiers)  # "management" is appended to the tier dictionary
        self.tier_values = pa.array([*tiers, "management"], pa.string())
        self.rank = np.array([_rank(t) for t in tiers] + [-1, -1], dtype=np.int64)  # [-1]: null
        self.is_management = np.array(
            [str(t).strip().lower() in MANAGEMENT_TIERS for t in tiers] + [True, False]
        )
        reasons = items.reason.dictionary.to_pylist()
        self.other_reason = reasons.index("other") if "other" in reasons else -1
        t = n_tickets
        self.alive = np.zeros(t, bool)
        self.tier = np.full(t, -1, np.int32)
        self.team = np.full(t, -1, np.int32)
        self.agent = np.full(t, -1, np.int32)
        self.attr = {name: np.full(t, -1, np.int32) for name in items.attributes}
        self.holding = np.full(t, -1, np.int64)
        self.management_open = np.zeros(t, bool)
        self.had_management = np.zeros(t, bool)
        self.escalated_before = np.zeros(t, bool)
        self.came_back = np.zeros(t, bool)
        self.reopened_since = np.zeros(t, bool)
        self.went_down = np.zeros(t, bool)
        self.escalations = np.zeros(t, np.int32)
        self.reopens = np.zeros(t, np.int32)
        self.bounces = np.zeros(t, np.int32)
        self.team_changes = np.zeros(t, np.int32)
        self.resolved = np.zeros(t, bool)
        self.csat = np.full(t, -1, np.int16)
        self.created_at = np.zeros(t, np.int64)
        self.first_team = np.full(t, -1, np.int32)
        self.first_agent = np.full(t, -1, np.int32)
        # one record slot per item: an item makes at most one escalation
        n = n_items
        self.made = np.zeros(n, bool)
        self.engine = np.zeros(n, bool)
        self.r_from = np.full(n, -1, np.int32)
        self.r_to = np.full(n, -1, np.int32)
        self.r_path_to = np.full(n, -1, np.int32)
        self.r_reason = np.full(n, -1, np.int32)
        self.r_from_team = np.full(n, -1, np.int32)
        self.r_from_agent = np.full(n, -1, np.int32)
        self.r_to_team = np.full(n, -1, np.int32)
        self.r_attr = {name: np.full(n, -1, np.int32) for name in items.attributes}
        self.r_management = np.zeros(n, bool)
        self.outcome = np.zeros(n, np.int8)
        self.resolution = np.full(n, np.nan)
        self.handling = np.full(n, np.nan)
        self.re_escalation = np.zeros(n, bool)
        self.reopen_driven = np.zeros(n, bool)
        self.r_over = np.full(n, -1, np.int32)
        self.credit_escalated = np.zeros(n, bool)
        self.credit_made = np.zeros(n, bool)
        self.kb_made = np.zeros(n, bool)

    # --- the rules of records.py, each on a vector of (ticket, item position) pairs ---

    def end_holding(self, tk: I64, at: I64, outcome: int) -> None:
        held = self.holding[tk]
        has = held >= 0
        rec = held[has]
        self.outcome[rec] = outcome
        self.handling[rec] = _hours(at[has] - self.items.at[rec])
        self.holding[tk[has]] = -1

    def escalate(self, tk: I64, pos: I64, to: I32, reason: I32, *, engine: bool) -> None:
        management = self.is_management[to]
        self.made[pos] = True
        self.engine[pos] = engine
        self.r_from[pos] = self.tier[tk]
        self.r_path_to[pos] = to
        self.r_to[pos] = np.where(management, self.management_code, to)
        self.r_management[pos] = management
        self.r_reason[pos] = reason
        self.r_from_team[pos] = self.team[tk]
        self.r_from_agent[pos] = self.agent[tk]
        for name, values in self.attr.items():
            self.r_attr[name][pos] = values[tk]
        self.reopen_driven[pos] = self.reopened_since[tk]
        self.escalations[tk] += 1
        self.had_management[tk[management]] = True
        self.management_open[tk[management]] = True
        functional = ~management
        tk, pos, to = tk[functional], pos[functional], to[functional]
        self.re_escalation[pos] = self.escalated_before[tk] & (
            self.came_back[tk] | self.reopened_since[tk]
        )
        down = self.went_down[tk]
        self.bounces[tk[down]] += 1
        self.went_down[tk] = False
        self.end_holding(tk, self.items.at[pos], _FURTHER)
        self.holding[tk] = pos
        self.escalated_before[tk] = True
        self.came_back[tk] = False
        self.reopened_since[tk] = False
        self.tier[tk] = to

    def created(self, tk: I64, pos: I64) -> None:
        it = self.items
        self.alive[tk] = True
        self.tier[tk] = it.tier[pos]
        self.team[tk] = self.first_team[tk] = it.team.codes[pos]
        self.agent[tk] = self.first_agent[tk] = it.agent.codes[pos]
        for name, values in self.attr.items():
            values[tk] = it.attributes[name].codes[pos]
        for flags in (
            self.management_open,
            self.had_management,
            self.escalated_before,
            self.came_back,
            self.reopened_since,
            self.went_down,
            self.resolved,
        ):
            flags[tk] = False
        for counter in (self.escalations, self.reopens, self.bounces, self.team_changes):
            counter[tk] = 0
        self.holding[tk] = -1
        self.csat[tk] = -1
        self.created_at[tk] = it.at[pos]

    def updated(self, tk: I64, pos: I64) -> None:
        it = self.items
        for name in ("priority", "category", "product_area", "issue_signature"):
            value = it.attributes[name].codes[pos]
            given = value >= 0
            self.attr[name][tk[given]] = value[given]
        customer = it.has_customer[pos]
        for name in ("customer_id", "segment", "region"):
            self.attr[name][tk[customer]] = it.attributes[name].codes[pos[customer]]

    def requested(self, tk: I64, pos: I64) -> None:
        to = self.items.to[pos]
        again = (to == self.tier[tk]) & (self.holding[tk] >= 0)  # the engine already moved it
        tk, pos, to = tk[~again], pos[~again], to[~again]
        self.escalate(tk, pos, to, self.items.reason.codes[pos], engine=False)

    def engine_escalate(self, tk: I64, pos: I64) -> None:
        keep = self.items.from_tier[pos] == self.tier[tk]
        tk, pos = tk[keep], pos[keep]
        self.escalate(tk, pos, self.items.to[pos], self.items.reason.codes[pos], engine=True)

    def engine_management(self, tk: I64, pos: I64) -> None:
        keep = ~self.management_open[tk]
        tk, pos = tk[keep], pos[keep]
        self.escalate(tk, pos, self.items.to[pos], self.items.reason.codes[pos], engine=True)

    def rejected(self, tk: I64, pos: I64) -> None:
        held = self.holding[tk]
        has = held >= 0
        self.tier[tk[has]] = self.r_from[held[has]]
        self.end_holding(tk[has], self.items.at[pos[has]], _REJECTED)

    def assigned(self, tk: I64, pos: I64) -> None:
        it = self.items
        new = it.tier[pos]
        current = self.tier[tk]
        moved = (new >= 0) & (new != current)
        new_rank, old_rank = self.rank[new], self.rank[current]
        ranked = moved & (new_rank >= 0) & (old_rank >= 0)
        down = ranked & (new_rank < old_rank)
        up = ranked & (new_rank > old_rank)
        td = tk[down]
        self.end_holding(td, it.at[pos[down]], _RETURNED)
        self.came_back[td] = True
        self.went_down[td] = True
        self.tier[td] = new[down]
        other = np.full(int(up.sum()), self.other_reason, np.int32)
        self.escalate(tk[up], pos[up], new[up], other, engine=False)
        team = it.team.codes[pos]
        change = (team >= 0) & (team != self.team[tk])
        self.team_changes[tk[change]] += 1
        self.team[tk[change]] = team[change]
        agent = it.agent.codes[pos]
        given = agent >= 0
        self.agent[tk[given]] = agent[given]
        held = self.holding[tk]
        open_ = held >= 0
        held_tk, held = tk[open_], held[open_]
        unset = self.r_to_team[held] < 0
        self.r_to_team[held[unset]] = self.team[held_tk[unset]]

    def resolved_(self, tk: I64, pos: I64) -> None:
        it = self.items
        self.resolved[tk] = True
        held = self.holding[tk]
        has = held >= 0
        rec, at = held[has], it.at[pos[has]]
        self.resolution[rec] = _hours(at - it.at[rec])
        over = it.over_escalation.codes[pos[has]]
        given = over >= 0
        self.r_over[rec[given]] = over[given]
        self.end_holding(tk[has], at, _RESOLVED)
        self.management_open[tk] = False
        self.kb_made[pos] = it.kb_given[pos] & self.escalated_before[tk]

    def reopened(self, tk: I64, pos: I64) -> None:  # noqa: ARG002 - same shape as the others
        self.reopens[tk] += 1
        self.reopened_since[tk] = True
        self.resolved[tk] = False

    def csat_(self, tk: I64, pos: I64) -> None:
        self.csat[tk] = self.items.score[pos]

    def credit(self, tk: I64, pos: I64) -> None:
        self.credit_made[pos] = True
        self.credit_escalated[pos] = self.escalated_before[tk] | self.had_management[tk]

    # --- driving the steps and shaping the output ---

    def run(self) -> None:
        it = self.items
        counts = np.bincount(it.ticket, minlength=len(it.ticket_ids))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        longest_first = np.argsort(-counts, kind="stable")
        ordered_counts = counts[longest_first]
        ordered_starts = starts[longest_first]
        handlers = {
            UPDATED: self.updated,
            REQUESTED: self.requested,
            REJECTED: self.rejected,
            ASSIGNED: self.assigned,
            RESOLVED: self.resolved_,
            REOPENED: self.reopened,
            CSAT: self.csat_,
            CREDIT: self.credit,
            ENGINE_ESCALATE: self.engine_escalate,
            ENGINE_MANAGEMENT: self.engine_management,
        }
        steps = int(counts.max()) if len(counts) else 0
        for step in range(steps):
            active = int(np.searchsorted(-ordered_counts, -step, side="left"))
            tk = longest_first[:active].astype(np.int64)
            pos = ordered_starts[:active] + step
            kind = it.kind[pos]
            created = kind == CREATED
            if created.any():
                self.created(tk[created], pos[created])
            live = self.alive[tk] & ~created
            for code, handler in handlers.items():
                chosen = live & (kind == code)
                if chosen.any():
                    handler(tk[chosen], pos[chosen])
        self._close_management()

    def _close_management(self) -> None:
        """A management escalation is resolved by the ticket's next resolution (any number of
        them at once), so its end is found after the walk: the first `ticket.resolved` of the
        same ticket after it."""
        it = self.items
        records = np.flatnonzero(self.made & self.r_management)
        resolutions = np.flatnonzero(it.kind == RESOLVED)
        nxt = np.searchsorted(resolutions, records, side="right")
        found = nxt < len(resolutions)
        records, nxt = records[found], resolutions[nxt[found]]
        same = it.ticket[nxt] == it.ticket[records]
        records, nxt = records[same], nxt[same]
        hours = _hours(it.at[nxt] - it.at[records])
        self.handling[records] = hours
        self.resolution[records] = hours
        self.outcome[records] = _RESOLVED

    def output(self) -> Walked:
        it = self.items
        rec = np.flatnonzero(self.made)
        rec_ticket = it.ticket[rec]
        tiers = self.tier_values
        from_tier = pc.cast(_decoded(self.r_from[rec], tiers), pa.string())
        path_to = pc.cast(_decoded(self.r_path_to[rec], tiers), pa.string())
        management = pa.array(self.r_management[rec])
        path = pc.if_else(
            management, "management", pc.binary_join_element_wise(from_tier, path_to, "->")
        )
        outcome = self.outcome[rec]
        escalations: dict[str, pa.Array] = {
            "escalation_id": it.item_id.take(pa.array(it.source_row[rec])),
            "ticket_id": it.ticket_ids.take(pa.array(rec_ticket)),
            "source": pa.array(np.where(self.engine[rec], "engine", "event")),
            "requested_at": _timestamps(it.at[rec]),
            "from_tier": from_tier,
            "to_tier": _decoded(self.r_to[rec], tiers),
            "path": path,
            "reason": _decoded(self.r_reason[rec], it.reason.dictionary),
            "from_team": _decoded(self.r_from_team[rec], it.team.dictionary),
            "from_agent": _decoded(self.r_from_agent[rec], it.agent.dictionary),
            "to_team": _decoded(self.r_to_team[rec], it.team.dictionary),
            **{
                name: _decoded(self.r_attr[name][rec], it.attributes[name].dictionary)
                for name in (*ATTRIBUTES, "issue_signature")
            },
            "resolved_at_tier": pa.array(outcome == _RESOLVED),
            "escalated_further": pa.array(outcome == _FURTHER),
            "returned": pa.array(outcome == _RETURNED),
            "rejected": pa.array(outcome == _REJECTED),
            "resolution_hours": pa.array(self.resolution[rec], from_pandas=True),
            "handling_hours": pa.array(self.handling[rec], from_pandas=True),
            "re_escalation": pa.array(self.re_escalation[rec]),
            "reopen_driven": pa.array(self.reopen_driven[rec]),
            "over_escalation": _decoded(self.r_over[rec], it.over_escalation.dictionary),
        }
        live = np.flatnonzero(self.alive)
        fcr = (
            self.resolved[live]
            & (self.escalations[live] == 0)
            & (self.reopens[live] == 0)
            & (self.team_changes[live] == 0)
        )
        csat = self.csat[live]
        tickets: dict[str, pa.Array] = {
            "ticket_id": it.ticket_ids.take(pa.array(live)),
            "created_at": _timestamps(self.created_at[live]),
            **{
                name: _decoded(self.attr[name][live], it.attributes[name].dictionary)
                for name in ATTRIBUTES
            },
            "team": _decoded(self.first_team[live], it.team.dictionary),
            "agent": _decoded(self.first_agent[live], it.agent.dictionary),
            "escalations": pa.array(self.escalations[live]),
            "reopens": pa.array(self.reopens[live]),
            "tier_bounces": pa.array(self.bounces[live]),
            "team_changes": pa.array(self.team_changes[live]),
            "resolved": pa.array(self.resolved[live]),
            "fcr": pa.array(fcr),
            "csat": pa.array(csat.astype(np.int8), mask=csat < 0),
        }
        credit = np.flatnonzero(self.credit_made)
        credits: dict[str, pa.Array] = {
            "ticket_id": it.ticket_ids.take(pa.array(it.ticket[credit])),
            "at": _timestamps(it.at[credit]),
            "amount": pa.array(it.amount[credit]),
            "kind": pc.cast(it.credit_kind.take(pa.array(it.source_row[credit])), pa.string()),
            "escalated": pa.array(self.credit_escalated[credit]),
        }
        kb = np.flatnonzero(self.kb_made)
        kb_articles: dict[str, pa.Array] = {
            "id": pc.cast(it.kb_article.take(pa.array(it.source_row[kb])), pa.string()),
            "at": _timestamps(it.at[kb]),
        }
        return Walked(escalations, tickets, credits, kb_articles)


def walk(items: Items) -> Walked:
    """Every ticket's records from its sorted items (see the module docstring)."""
    state = _Walk(items)
    state.run()
    return state.output()
