"""`escalon notify test CHANNEL`: send one test message through a policy's channel, now.

The message goes straight to the channel (not through the outbox), once, so the answer printed is
exactly what the service said: use it after adding or rotating a webhook, key or password.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from escalon.adapters.notify.base import system_clock
from escalon.adapters.notify.channels import build_sender
from escalon.adapters.policy_files import check_policy, default_policy_path
from escalon.domain.notify.delivery import SendResult
from escalon.domain.notify.message import Notification, OutboxMessage

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
