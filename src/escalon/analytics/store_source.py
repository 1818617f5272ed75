"""Reading the dashboard's records from escalon's store (SQLite or PostgreSQL), in bulk.

The store keeps every ingested event verbatim (`events.body`, canonical JSON) and every decision
the engine fired (`decisions`), so the report needs no replay. Two SELECTs stream the bodies of
the event types the records read and the fired `escalate` / `management_escalation` decisions
straight into Arrow string columns (the DB-API cursor, 100,000 rows a fetch, no per-row objects
beyond the driver's own strings); DuckDB parses them (`analytics.items`) and the lockstep walk
(`analytics.lockstep`) turns them into the record tables, for all tickets at once.

Why events and not the projections (`tickets`, `escalations`, `clocks`): the projections are the
engine's working state, and they lack what the dashboard counts — the canonical reason of a
request, CSAT, over-escalation codes, KB articles, credits, returns to a lower tier and team
changes live only in the events, and an escalation's projected status does not distinguish
"returned" from "resolved". Read-only: one snapshot, nothing written.
"""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Text, case, cast, create_engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from escalon.adapters.db import tables as t
from escalon.analytics.items import (
    COUNTED_DECISIONS,
    DECISION_ROWS,
    EVENT_BODIES,
    EVENT_KINDS,
    Parser,
    items_from_bodies,
)
from escalon.analytics.lockstep import Items, walk
from escalon.analytics.ops_records import OpsRecord
from escalon.analytics.records import (
    CHURN_SCHEMA,
    CREDIT_SCHEMA,
    ESCALATION_SCHEMA,
    INITIATIVE_SCHEMA,
    TICKET_SCHEMA,
    EscalationRecords,
)

FETCH_ROWS = 100_000


def store_url(target: str) -> str:
    """A SQLAlchemy URL as given, or a plain path taken as a SQLite file."""
    return target if "://" in target else f"sqlite:///{target}"


def _batches(
    conn: Connection, query: Select[Any], schema: pa.Schema, *, numbered: bool
) -> Iterator[pa.RecordBatch]:
    """Rows of `query` as record batches, through the DB-API cursor (no SQLAlchemy row objects);
    `ord` numbers the rows in query order, or is 0 throughout when not `numbered`. Integer
    columns come back as small ints (no string per row), text as one Arrow buffer per batch."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw: Any = conn.connection.dbapi_connection
    # PostgreSQL: a server-side cursor, so the driver holds one batch at a time, not the table
    cursor = (
        raw.cursor(name="escalon_report") if conn.dialect.name == "postgresql" else raw.cursor()
    )
    fields = list(schema)[1:]
    failure = conn.dialect.loaded_dbapi.Error
    try:
        try:
            cursor.execute(sql)
        except failure as exc:  # as SQLAlchemy would raise it (no such table, no database...)
            raise DBAPIError.instance(sql, None, exc, failure, dialect=conn.dialect) from exc
        start = 0
        while rows := cursor.fetchmany(FETCH_ROWS):
            n = len(rows)
            ords = np.arange(start, start + n) if numbered else np.zeros(n, np.int64)
            arrays: list[pa.Array] = [pa.array(ords, pa.int64())]
            for i, field in enumerate(fields):
                if pa.types.is_integer(field.type):
                    dtype = field.type.to_pandas_dtype()
                    arrays.append(pa.array(np.fromiter((r[i] for r in rows), dtype, n)))
                else:
                    arrays.append(pa.array([r[i] for r in rows], field.type))
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)
            start += n
    finally:
        cursor.close()


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Millions of short-lived row tuples survive into the oldest generation batch by batch and
    trigger full collections over and over (about a third of the read); they hold no cycles, so
    the collector pauses while they stream."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _queries() -> tuple[Select[Any], Select[Any]]:
    # arrival order (seq) is all the walk needs besides each body's instant: it sorts by ticket
    # and instant itself, so the database only scans (no sort of millions of bodies)
    events = (
        select(case(EVENT_KINDS, value=t.events.c.type), cast(t.events.c.body, Text))
        .where(t.events.c.type.in_(list(EVENT_KINDS)))
        .order_by(t.events.c.seq)
    )
    decisions = select(
        t.decisions.c.id,
        t.decisions.c.ticket,
        t.decisions.c.kind,
        cast(t.decisions.c.due_at, Text),
        cast(t.decisions.c.body, Text),
    ).where(t.decisions.c.kind.in_(COUNTED_DECISIONS))  # one instant's decisions: id order
    return events, decisions


def read_store_items(url: str) -> Items:
    """Stream the store's bodies and parse each batch as it arrives: the database read (one
    thread, mostly the driver building strings) overlaps DuckDB's JSON parsing (which releases
    the GIL), so the two cores work at once."""
    events, decisions = _queries()
    parser = Parser()
    batches: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def produce() -> None:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                for query, schema, numbered in (
                    (events, EVENT_BODIES, True),
                    (decisions, DECISION_ROWS, False),
                ):
                    for batch in _batches(conn, query, schema, numbered=numbered):
                        if stop.is_set():
                            return
                        batches.put(batch)
        except BaseException as exc:  # handed to the consumer, which raises it
            batches.put(exc)
        finally:
            engine.dispose()
            batches.put(None)

    with _no_cyclic_gc():
        reader = threading.Thread(target=produce, name="escalon-store-read", daemon=True)
        reader.start()
        try:
            while (batch := batches.get()) is not None:
                if isinstance(batch, BaseException):
                    raise batch
                table = pa.Table.from_batches([batch])
                if batch.schema.equals(EVENT_BODIES):
                    parser.events(table)
                else:
                    parser.decisions(table)
        finally:
            stop.set()  # on an error here the reader may be blocked on a full queue: drain it
            while reader.is_alive():
                with suppress(queue.Empty):
                    batches.get(timeout=0.1)
            reader.join()
        return parser.items()


def _month(column: pa.Array) -> pa.Array:
    return pc.cast(pc.add(pc.multiply(pc.year(column), 100), pc.month(column)), pa.int32())


def _table(columns: dict[str, pa.Array], schema: pa.Schema) -> pa.Table:
    """Columns in the schema's order; text may stay dictionary-encoded, other types are cast."""
    arrays = []
    for field in schema:
        array = columns[field.name]
        if not (pa.types.is_dictionary(array.type) and pa.types.is_string(field.type)):
            array = pc.cast(array, field.type)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=schema.names)


def records_from_bodies(
    events: pa.Table, decisions: pa.Table, ops_records: Sequence[OpsRecord] = ()
) -> EscalationRecords:
    """The record tables from event bodies and decision rows (see the module docstring)."""
    return records_from_items(items_from_bodies(events, decisions), ops_records)


def records_from_items(items: Items, ops_records: Sequence[OpsRecord] = ()) -> EscalationRecords:
    walked = walk(items)
    escalations = dict(walked.escalations)
    escalations["month"] = _month(escalations["requested_at"])
    tickets = dict(walked.tickets)
    tickets["month"] = _month(tickets["created_at"])
    credits = dict(walked.credits)
    credits["month"] = _month(credits["at"])
    others = [r for r in ops_records if r.kind != "churn"]
    kb = walked.kb_articles
    initiative_at = pa.concat_arrays(
        [kb["at"], pa.array([r.at for r in others], pa.timestamp("us", tz="UTC"))]
    )
    initiatives = {
        "id": pa.concat_arrays([kb["id"], pa.array([r.id for r in others], pa.string())]),
        "kind": pa.array(["kb_article"] * len(kb["id"]) + [r.kind for r in others], pa.string()),
        "at": initiative_at,
        "month": _month(initiative_at),
    }
    churned = [r for r in ops_records if r.kind == "churn"]
    churn_at = pa.array([r.at for r in churned], pa.timestamp("us", tz="UTC"))
    churn = {
        "customer_id": pa.array([r.customer for r in churned], pa.string()),
        "at": churn_at,
        "month": _month(churn_at),
    }
    return EscalationRecords(
        escalations=_table(escalations, ESCALATION_SCHEMA),
        tickets=_table(tickets, TICKET_SCHEMA),
        credits=_table(credits, CREDIT_SCHEMA),
        initiatives=_table(initiatives, INITIATIVE_SCHEMA),
        churn=_table(churn, CHURN_SCHEMA),
    )


def read_store(url: str, ops_records: Sequence[OpsRecord] = ()) -> EscalationRecords:
    """The record tables of the store at `url` (SQLAlchemy URL)."""
    return records_from_items(read_store_items(url), ops_records)
