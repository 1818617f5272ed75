"""The composition root: the one place that wires settings, storage, engine and use cases.

Nothing is created at import time; entrypoints call `bootstrap()` and tests pass their own
engine, clock or notifier.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.delivery_stats import ChannelDeliveries, delivery_totals
from escalon.adapters.db.migrate import upgrade
from escalon.adapters.db.outbox import SqlOutbox
from escalon.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from escalon.adapters.notify.base import Sender as ChannelSender
from escalon.adapters.notify.channels import build_senders
from escalon.adapters.policy_files import SourceError, default_policy_path, parse_policy
from escalon.domain.events import Event
from escalon.domain.policy import Policy
from escalon.services.approvals import Approvals
from escalon.services.dispatch import Dispatcher, lane_settings, retry_schedule
from escalon.services.engine_port import BatchOut, EngineRefusal, StateSource, TicketEngine
from escalon.services.firing import Firer
from escalon.services.handoffs import Handoffs
from escalon.services.ingest import Ingestor
from escalon.services.outbox import Outbox, RoutingNotifier
from escalon.services.policies import PolicyBook, install_first
from escalon.services.ports import Notifier
from escalon.settings import Settings, load_settings


def utc_now() -> datetime:
    """The wall clock; only entrypoints read it, and pass it down as `now`."""
    return datetime.now(UTC)


def parse_policy_text(text: str) -> Any:
    """Policy YAML (or JSON, a subset) to a Policy; every problem in one ValueError."""
    try:
        return parse_policy(text, file="policy")
    except SourceError as error:
        raise ValueError(str(error)) from error


@dataclass
class Service:
    """Everything an entrypoint needs, built once per process."""

    settings: Settings
    db: Engine
    uow: SqlUnitOfWorkFactory
    policies: PolicyBook
    ingestor: Ingestor
    firer: Firer
    handoffs: Handoffs
    approvals: Approvals
    outbox: SqlOutbox
    clock: Callable[[], datetime] = field(default=utc_now)

    def prepare(self) -> None:
        """Migrate the schema and install the first policy (settings' file or the default)."""
        upgrade(self.db)
        path = self.settings.policy_path or default_policy_path()
        install_first(self.uow, self.policies, path.read_text(encoding="utf-8"), self.clock())

    def delivery_totals(self) -> list[ChannelDeliveries]:
        """Outbox totals by channel, from the table (every dispatcher's work, in any process)."""
        return delivery_totals(self.db)

    def close(self) -> None:
        self.db.dispose()


log = logging.getLogger("escalon.ingest")


class NamingEngine:
    """Ingestion's engine: an unexpected engine failure on a schema-valid event becomes a refusal
    naming that event, so the request is a 422 that rolls back, never a 500.

    The culprit of a failed batch is found by applying ever shorter prefixes again (the engine
    only reads the source, so this stores nothing); this costs time on the failure path only.
    """

    def __init__(self, inner: TicketEngine) -> None:
        self.inner = inner

    def apply(
        self,
        source: StateSource,
        items: Sequence[tuple[str, Event]],
        policy: Any,
        *,
        skip_refused: bool = False,
    ) -> BatchOut:
        try:
            return self.inner.apply(source, items, policy, skip_refused=skip_refused)
        except EngineRefusal:
            raise
        except Exception as error:
            if getattr(source, "failure", None) is not None:
                raise  # storage failed under the engine's reads: not the event's fault
            path, event = items[self._first_failing(source, items, policy) - 1]
            log.exception("the engine failed on event %r", event.id)
            raise EngineRefusal(
                f"event {event.id!r} could not be applied: the engine failed with "
                f"{type(error).__name__}: {error}",
                field=f"{path}id",
            ) from error

    def _first_failing(
        self, source: StateSource, items: Sequence[tuple[str, Event]], policy: Any
    ) -> int:
        """The length of the shortest prefix of `items` the engine fails on."""
        low, high = 1, len(items)  # the whole batch fails; find the first failing length
        while low < high:
            middle = (low + high) // 2
            try:
                self.inner.apply(source, items[:middle], policy)
            except Exception:
                high = middle
            else:
                low = middle + 1
        return high


def default_ticket_engine() -> TicketEngine:
    from escalon.services.ticket_engine import DomainTicketEngine

    engine: TicketEngine = DomainTicketEngine()
    return engine


def bootstrap(
    settings: Settings | None = None,
    *,
    ticket_engine: TicketEngine | None = None,
    notifier: Notifier | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    """Wire the service for `settings` (read from the environment when not given)."""
    settings = settings or load_settings()
    db = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    uow = SqlUnitOfWorkFactory(db)
    engine = ticket_engine or default_ticket_engine()
    policies = PolicyBook(parse_policy_text)
    routing = RoutingNotifier(ticket_url=settings.ticket_url)
    notifier = notifier or routing
    ingestor = Ingestor(
        uow,
        NamingEngine(engine),
        policies,
        settings.late_after_seconds,
        notifier,
        routing.for_events,
    )
    firer = Firer(
        uow, engine, policies, settings.late_after_seconds, notifier, settings.worker_batch_size
    )
    return Service(
        settings=settings,
        db=db,
        uow=uow,
        policies=policies,
        ingestor=ingestor,
        firer=firer,
        handoffs=Handoffs(ingestor),
        approvals=Approvals(uow, ingestor),
        outbox=SqlOutbox(db),
        clock=clock,
    )


@dataclass
class Delivery:
    """The outbox dispatcher over a policy's channels, with the senders it must close."""

    dispatcher: Dispatcher
    senders: Mapping[str, ChannelSender]

    def close(self) -> None:
        for sender in self.senders.values():
            sender.close()


def build_delivery(
    policy: Policy,
    outbox: Outbox,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utc_now,
    env: Mapping[str, str] | None = None,
) -> Delivery:
    """The dispatcher `escalon worker` and `escalon notify run` both run: the policy's channels
    (secrets from `env`, relative files next to the policy file), its retry schedule and lanes."""
    notifications = policy.notifications
    base_dir = settings.policy_path.parent if settings.policy_path else Path.cwd()
    senders = build_senders(
        notifications, clock=clock, env=os.environ if env is None else env, base_dir=base_dir
    )
    dispatcher = Dispatcher(
        outbox,
        senders,
        schedule=retry_schedule(notifications),
        clock=clock,
        jitter=random.SystemRandom().random,
        settings=lane_settings(notifications),
    )
    return Delivery(dispatcher, senders)
