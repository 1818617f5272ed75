"""Canonical event and decision JSON bodies to the sorted, integer-coded item table of `lockstep`.

The store keeps each event as its canonical JSON (`events.body`) and each fired decision with its
facts (`decisions.body`). DuckDB parses each batch of bodies (`json_transform` of each event type
to only the fields the records read from it) and turns engine decisions into the escalation they
add (reason from the criterion or trigger, as `records.py` does). Text columns then become int32
codes into small dictionaries, and numpy orders the items by ticket, instant, events before
decisions, arrival (`ord`; decisions of one instant in id order), so the lockstep walk compares
integers and the text stays where it is.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from escalon.analytics.lockstep import (
    ASSIGNED,
    ATTRIBUTES,
    CREATED,
    CREDIT,
    CSAT,
    ENGINE_ESCALATE,
    ENGINE_MANAGEMENT,
    REJECTED,
    REOPENED,
    REQUESTED,
    RESOLVED,
    UPDATED,
    Coded,
    Items,
)
from escalon.analytics.records import CRITERION_REASONS, MANAGEMENT_REASONS

EVENT_KINDS = {
    "ticket.created": CREATED,
    "ticket.updated": UPDATED,
    "escalation.requested": REQUESTED,
    "escalation.rejected": REJECTED,
    "ticket.assigned": ASSIGNED,
    "ticket.resolved": RESOLVED,
    "ticket.reopened": REOPENED,
    "csat.received": CSAT,
    "credit.requested": CREDIT,
}
"""The event types the records read; others (comments, acceptances, ticks...) change nothing."""

COUNTED_DECISIONS = ("escalate", "management_escalation")

EVENT_BODIES = pa.schema([("ord", pa.int64()), ("kind", pa.int8()), ("body", pa.string())])
"""Arrival order, the item kind of the event's type (`EVENT_KINDS`) and its canonical JSON."""
DECISION_ROWS = pa.schema(
    [
        ("ord", pa.int64()),
        ("id", pa.string()),
        ("ticket", pa.string()),
        ("kind", pa.string()),
        ("due_at", pa.string()),
        ("body", pa.string()),
    ]
)

_V = "VARCHAR"
_CUSTOMER = {"customer": {"id": _V, "segment": _V, "region": _V}}
_ATTRIBUTES = {"priority": _V, "category": _V, "product_area": _V, "issue_signature": _V}
# per event type, the fields of `data` the records read: each body is parsed for those only
_FIELDS: dict[str, dict[str, object]] = {
    "ticket.created": {"tier": _V, "team": _V, "agent": _V, **_ATTRIBUTES, **_CUSTOMER},
    "ticket.updated": {**_ATTRIBUTES, **_CUSTOMER},
    "escalation.requested": {"to": _V, "reason": _V},
    "escalation.rejected": {},
    "ticket.assigned": {"tier": _V, "team": _V, "agent": _V},
    "ticket.resolved": {"over_escalation": _V, "kb_article": _V},
    "ticket.reopened": {},
    "csat.received": {"score": _V},
    "credit.requested": {"amount": _V, "kind": _V},
}
_ESCALATING = ("escalation.requested", "ticket.assigned")
"""Event types whose id may become an escalation's id."""

_TEXT = (
    "to", "tier", "from_tier", "team", "agent", "reason", "over_escalation", "kb_article",
    "credit_kind", "priority", "category", "product_area", "issue_signature", "customer_id",
    "segment", "region",
)  # fmt: skip
_TYPED = {
    "ticket": "VARCHAR",
    "at": "BIGINT",
    "prio": "TINYINT",
    "ord": "BIGINT",
    "kind": "TINYINT",
    "item_id": "VARCHAR",
    **dict.fromkeys(_TEXT, "VARCHAR"),
    "score": "SMALLINT",
    "amount": "DOUBLE",
    "has_customer": "BOOLEAN",
}
"""Every item column and its type, in order: each query fills what it knows, NULL the rest."""


def _json(shape: dict[str, object]) -> str:
    return json.dumps(shape).replace("'", "''")


def _case(column: str, mapping: dict[str, str], default: str) -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE '{default}' END"


def _select(known: dict[str, str], source: str) -> str:
    columns = ", ".join(
        f'CAST({known.get(name, "NULL")} AS {kind}) AS "{name}"' for name, kind in _TYPED.items()
    )
    return f"SELECT {columns} FROM {source}"


def _event_type_sql(relation: str, event_type: str) -> str:
    fields = _FIELDS[event_type]
    shape: dict[str, object] = {"ticket": _V, "at": _V}
    if fields:
        shape["data"] = fields
    if event_type in _ESCALATING:
        shape["id"] = _V
    known = {
        "ticket": "e.ticket",
        "at": 'epoch_us(CAST(e."at" AS TIMESTAMPTZ))',
        "prio": "0",
        "ord": "ord",
        "kind": str(EVENT_KINDS[event_type]),
        "has_customer": "false",
    }
    if event_type in _ESCALATING:
        known["item_id"] = "e.id"
    for name in ("to", "team", "agent", "over_escalation", "kb_article", *_ATTRIBUTES):
        if name in fields:
            known[name] = f'e.data."{name}"'
    if "tier" in fields:
        created = event_type == "ticket.created"
        known["tier"] = "coalesce(e.data.tier, 'L1')" if created else "e.data.tier"
    if "reason" in fields:
        known["reason"] = "coalesce(e.data.reason, 'other')"
    if "score" in fields:
        known["score"] = "TRY_CAST(e.data.score AS SMALLINT)"
    if "amount" in fields:
        known["amount"] = "TRY_CAST(e.data.amount AS DOUBLE)"
        known["credit_kind"] = "coalesce(e.data.kind, 'service_credit')"
    if event_type == "ticket.created":
        known["priority"] = "coalesce(e.data.priority, 'P3')"
    if "customer" in fields:
        known["customer_id"] = "e.data.customer.id"
        known["segment"] = (
            "CASE WHEN e.data.customer.id IS NOT NULL "
            "THEN coalesce(e.data.customer.segment, 'smb') END"
        )
        known["region"] = "e.data.customer.region"
        known["has_customer"] = "e.data.customer.id IS NOT NULL"
    source = (
        f"(SELECT ord, json_transform(body, '{_json(shape)}') AS e FROM {relation} "
        f"WHERE kind = {EVENT_KINDS[event_type]})"
    )
    return _select(known, source)


def _event_sql(relation: str) -> str:
    return "\nUNION ALL\n".join(_event_type_sql(relation, t) for t in EVENT_KINDS)


def _decision_sql(relation: str) -> str:
    facts = {"from": _V, "to": _V, "requested_by": _V, "criterion": _V, "trigger": _V}
    known = {
        "ticket": "ticket",
        "at": "epoch_us(CAST(due_at AS TIMESTAMPTZ))",
        "prio": "1",
        "ord": "ord",
        "kind": f"CASE kind WHEN 'escalate' THEN {ENGINE_ESCALATE} ELSE {ENGINE_MANAGEMENT} END",
        "item_id": "id",
        "to": "CASE WHEN kind = 'escalate' THEN f.\"to\" ELSE 'management' END",
        "from_tier": 'f."from"',
        "reason": (
            f"CASE WHEN kind = 'escalate' THEN {_case('f.criterion', CRITERION_REASONS, 'other')}"
            f" ELSE {_case('f.trigger', MANAGEMENT_REASONS, 'impact')} END"
        ),
        "has_customer": "false",
    }
    source = f"""(
      SELECT ord, id, ticket, kind, due_at,
        json_transform(body, '{_json({"facts": facts})}').facts AS f,
        json_type(body, '$.facts.to') AS to_type
      FROM {relation}
    ) WHERE kind = 'management_escalation' OR (kind = 'escalate' AND to_type = 'VARCHAR'
      AND coalesce(f.requested_by, '') IN ('', 'false', '0'))"""
    return _select(known, source)


class Parser:
    """Parses body batches into unsorted item rows with one DuckDB connection (UTC session)."""

    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        self.parts: list[pa.Table] = []

    def events(self, batch: pa.Table) -> None:
        """A table shaped as `EVENT_BODIES`."""
        self.con.register("event_batch", batch)
        self.parts.append(self.con.sql(_event_sql("event_batch")).to_arrow_table())
        self.con.unregister("event_batch")

    def decisions(self, batch: pa.Table) -> None:
        """A table shaped as `DECISION_ROWS`."""
        self.con.register("decision_batch", batch)
        self.parts.append(self.con.sql(_decision_sql("decision_batch")).to_arrow_table())
        self.con.unregister("decision_batch")

    def items(self) -> Items:
        self.con.close()
        return _assemble(pa.concat_tables(self.parts) if self.parts else _empty())


def _empty() -> pa.Table:
    con = duckdb.connect(":memory:")
    try:
        con.register("decision_batch", pa.Table.from_pylist([], schema=DECISION_ROWS))
        return con.sql(_decision_sql("decision_batch")).to_arrow_table()
    finally:
        con.close()


def _encode(column: pa.ChunkedArray | pa.Array, extra: tuple[str, ...] = ()) -> Coded:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(pc.cast(array, pa.string()))
    dictionary = encoded.dictionary
    missing = [v for v in extra if v not in set(dictionary.to_pylist())]
    if missing:
        dictionary = pa.concat_arrays([dictionary, pa.array(missing, pa.string())])
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int32)
    return Coded(codes, dictionary)


def _assemble(table: pa.Table) -> Items:
    """Encode the text columns, then order the items (numpy's lexsort on integer keys; the text
    stays where it is, reached through `source_row`)."""
    n = table.num_rows
    tickets = _encode(table.column("ticket"))  # codes in order of first appearance
    at = table.column("at").to_numpy().astype(np.int64)
    prio = table.column("prio").to_numpy()
    arrival = table.column("ord").to_numpy()
    ids = table.column("item_id").combine_chunks()
    # decisions come unordered from the store and share `ord`: those of one ticket at one
    # instant go in id order (events have distinct `ord`s and need no tie-break)
    id_rank = np.zeros(n, np.int64)
    decided = np.flatnonzero(prio == 1)
    by_id = pc.array_sort_indices(ids.take(pa.array(decided))).to_numpy()
    id_rank[decided[by_id]] = np.arange(len(decided))
    order = np.lexsort((id_rank, arrival, prio, at, tickets.codes)).astype(np.int64)

    def coded(name: str, extra: tuple[str, ...] = ()) -> Coded:
        found = _encode(table.column(name), extra)
        return Coded(found.codes[order], found.dictionary)

    family = pa.concat_arrays(
        [
            pc.cast(table.column(name).combine_chunks(), pa.string())
            for name in ("to", "tier", "from_tier")
        ]
    )
    tiers = _encode(family)
    to, tier, from_tier = (tiers.codes[i * n : (i + 1) * n][order] for i in range(3))
    kb = table.column("kb_article").combine_chunks()
    kb_given = pc.fill_null(pc.not_equal(kb, ""), False).to_numpy(zero_copy_only=False)
    return Items(
        ticket=tickets.codes[order],  # every code occurs, so sorted codes are dense indices
        ticket_ids=tickets.dictionary,
        kind=table.column("kind").to_numpy().astype(np.int8)[order],
        at=at[order],
        source_row=order,
        item_id=ids,
        tiers=tiers.dictionary,
        to=to,
        tier=tier,
        from_tier=from_tier,
        team=coded("team"),
        agent=coded("agent"),
        reason=coded("reason", ("other",)),
        over_escalation=coded("over_escalation"),
        kb_article=kb,
        kb_given=kb_given[order],
        score=pc.fill_null(table.column("score"), -1).to_numpy().astype(np.int16)[order],
        amount=pc.fill_null(table.column("amount"), 0.0).to_numpy()[order],
        credit_kind=table.column("credit_kind").combine_chunks(),
        attributes={name: coded(name) for name in (*ATTRIBUTES, "issue_signature")},
        has_customer=table.column("has_customer").to_numpy(zero_copy_only=False)[order],
    )


def items_from_bodies(events: pa.Table, decisions: pa.Table) -> Items:
    """Items from event bodies (`EVENT_BODIES`) and decision rows (`DECISION_ROWS`)."""
    parser = Parser()
    parser.events(events)
    parser.decisions(decisions)
    return parser.items()
