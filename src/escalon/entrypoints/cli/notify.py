"""`escalon notify test | run | log`: try a channel, run the dispatcher, read the delivery log.

`test` sends straight to the channel (not through the outbox), once, so the answer printed is
exactly what the service said: use it after adding or rotating a webhook, key or password.
`run` drains the service database's outbox through the active policy's channels; `log` shows
what happened to each message.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.outbox import SqlOutbox
from escalon.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from escalon.adapters.notify.base import system_clock
from escalon.adapters.notify.channels import build_sender
from escalon.adapters.policy_files import check_policy, default_policy_path
from escalon.bootstrap import build_delivery, parse_policy_text
from escalon.domain.notify.delivery import MessageStatus, OutboxEntry, SendResult
from escalon.domain.notify.message import Notification, OutboxMessage
from escalon.domain.policy import Policy
from escalon.services.errors import ServiceError
from escalon.services.policies import PolicyBook
from escalon.settings import Settings, load_settings

app = typer.Typer(help="Deliver notifications: test a channel.", no_args_is_help=True)


def test_message(channel: str, target: str | None, now: datetime) -> OutboxMessage:
    """A test notification, unique per run so deduplicating receivers still show it."""
    notification = Notification(
        decision_id=f"test-{channel}-{now.isoformat()}",
        kind="test",
        ticket_id="TEST",
        summary=f"escalon test message for channel {channel}",
        occurred_at=now,
        escalation_id=f"test-{now:%Y%m%dT%H%M%S}",
        priority="P4",
        reason="sent by `escalon notify test`",
    )
    return OutboxMessage.create(notification, channel=channel, target=target, now=now)


def describe(result: SendResult, elapsed_ms: float) -> str:
    """`delivered (HTTP 200) in 84 ms` or `rejected (HTTP 404) in 91 ms: channel_not_found`."""
    code = f" (status {result.status_code})" if result.status_code is not None else ""
    line = f"{result.outcome}{code} in {elapsed_ms:.0f} ms"
    if result.error:
        line += f": {result.error}"
    if result.retry_after is not None:
        line += f" (Retry-After {result.retry_after.total_seconds():.0f} s)"
    return line


@app.command("test")
def test_channel(
    channel: Annotated[
        str, typer.Argument(help="Channel name from the policy.", show_default=False)
    ],
    policy_file: Annotated[
        Path | None,
        typer.Option("--policy", "-p", help="Policy YAML file; the default policy when omitted."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", help="Recipient within the channel (an e-mail address)."),
    ] = None,
) -> None:
    """Send one test message to CHANNEL and print what the service answered (exit 1 unless
    delivered)."""
    path = policy_file or default_policy_path()
    policy, issues = check_policy(path)
    if policy is None:
        for issue in issues:
            typer.echo(str(issue), err=True)
        raise typer.Exit(code=2)
    channels = policy.notifications.channels
    if channel not in channels:
        known = ", ".join(sorted(channels)) or "none defined"
        typer.echo(f"channel: unknown channel {channel!r} (known: {known})", err=True)
        raise typer.Exit(code=2)
    sender = build_sender(
        channels[channel], clock=system_clock, env=os.environ, base_dir=Path(path).parent
    )
    started = time.perf_counter()
    try:
        result = sender.send(test_message(channel, target, datetime.now(UTC)))
    finally:
        sender.close()
    typer.echo(f"{channel}: {describe(result, (time.perf_counter() - started) * 1000)}")
    if result.outcome != "delivered":
        raise typer.Exit(code=1)


@dataclass
class _Storage:
    """The service database's outbox and active policy: all `run` and `log` need."""

    settings: Settings
    db: Engine
    outbox: SqlOutbox

    def active_policy(self) -> Policy:
        book = PolicyBook(parse_policy_text)
        with SqlUnitOfWorkFactory(self.db)(read_only=True) as uow:
            policy: Policy = book.active(uow)
        return policy


def _storage() -> _Storage:
    try:
        settings = load_settings()
    except ValueError as error:  # pydantic-settings: a bad ESCALON_* variable
        typer.echo(f"settings: {str(error).splitlines()[0]}", err=True)
        raise typer.Exit(code=2) from None
    db = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    return _Storage(settings, db, SqlOutbox(db))


@app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Attempt every message due now, then exit.")
    ] = False,
) -> None:
    """Deliver the outbox of the service database (ESCALON_DATABASE_URL) through the active
    policy's channels until interrupted; read the policy again by restarting."""
    storage = _storage()
    try:
        policy = storage.active_policy()
    except ServiceError as error:
        storage.db.dispose()
        typer.echo(f"policy: {error}", err=True)
        raise typer.Exit(code=2) from None
    delivery = build_delivery(policy, storage.outbox, storage.settings, clock=system_clock)
    dispatcher = delivery.dispatcher
    try:
        if once:
            dispatcher.deliver_due(time.sleep)
        else:
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            dispatcher.run(stop)
    finally:
        delivery.close()
        storage.db.dispose()
    counts = dispatcher.counters.snapshot()
    for (channel, result), count in sorted(counts.items()):
        typer.echo(f"{channel}: {count} {result}")


def _row(entry: OutboxEntry) -> list[str]:
    last = entry.log[-1] if entry.log else None
    note = ""
    if last is not None:
        note = " ".join(p for p in (str(last.status_code or ""), last.error or "") if p)
    message = entry.message
    return [
        message.notification.ticket_id,
        message.notification.kind,
        message.channel + (f" -> {message.target}" if message.target else ""),
        entry.status,
        str(entry.attempts),
        entry.due_at.isoformat(timespec="seconds"),
        note,
    ]


@app.command("log")
def log(
    ticket: Annotated[
        str | None, typer.Option("--ticket", help="Only this ticket's messages.")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="pending, claimed, delivered, rejected or dead; repeatable."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
) -> None:
    """Show messages of the service database's outbox, oldest first, with their last attempt."""
    known: tuple[MessageStatus, ...] = ("pending", "claimed", "delivered", "rejected", "dead")
    for value in status or []:
        if value not in known:
            typer.echo(f"status: unknown status {value!r} (known: {', '.join(known)})", err=True)
            raise typer.Exit(code=2)
    storage = _storage()
    try:
        statuses: list[MessageStatus] | None = [s for s in known if s in status] if status else None
        entries = storage.outbox.entries(ticket_id=ticket, statuses=statuses, limit=limit)
    finally:
        storage.db.dispose()
    table = Table("ticket", "kind", "channel", "status", "attempts", "due", "last answer")
    for entry in entries:
        table.add_row(*_row(entry))
    Console(width=160).print(table)
