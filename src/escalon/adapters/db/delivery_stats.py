"""Delivery totals read from the outbox table, so `/metrics` counts what every process delivered."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from escalon.adapters.db.tables import outbox


@dataclass(frozen=True)
class ChannelDeliveries:
    """One channel's messages by status, and its attempts that did not deliver."""

    channel: str
    by_status: dict[str, int]
    failed_attempts: int

    @property
    def delivered(self) -> int:
        return self.by_status.get("delivered", 0)

    @property
    def dead(self) -> int:
        return self.by_status.get("dead", 0)


def delivery_totals(engine: Engine) -> list[ChannelDeliveries]:
    """Per channel: messages in each status and failed attempts (every logged attempt but the one
    that delivered). One grouped scan of the outbox; the attempt count is the log's length."""
    attempts = func.json_array_length(outbox.c.log)
    query = select(
        outbox.c.channel, outbox.c.status, func.count(), func.coalesce(func.sum(attempts), 0)
    ).group_by(outbox.c.channel, outbox.c.status)
    channels: dict[str, ChannelDeliveries] = {}
    with engine.connect() as conn:
        for channel, status, messages, logged in conn.execute(query):
            entry = channels.setdefault(channel, ChannelDeliveries(channel, {}, 0))
            entry.by_status[status] = int(messages)
            failed = int(logged) - (int(messages) if status == "delivered" else 0)
            channels[channel] = ChannelDeliveries(
                channel, entry.by_status, entry.failed_attempts + failed
            )
    return [channels[name] for name in sorted(channels)]
