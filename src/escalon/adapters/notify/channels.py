"""Build the senders of a policy's channels: the one place that knows every channel type."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path

import httpx

from escalon.adapters.notify.base import Clock, Sender
from escalon.adapters.notify.email import EmailSender
from escalon.adapters.notify.pagerduty import PagerDutySender
from escalon.adapters.notify.slack import SlackSender
from escalon.adapters.notify.teams import TeamsSender
from escalon.adapters.notify.webhook import WebhookSender
from escalon.domain.policy.notifications import ChannelSpec, NotificationsPolicy


def build_sender(
    spec: ChannelSpec,
    *,
    clock: Clock,
    env: Mapping[str, str],
    transport: httpx.BaseTransport | None = None,
    base_dir: Path | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> Sender:
    """The sender for one channel; `transport` replaces the network for HTTP channels."""
    match spec.type:
        case "slack":
            return SlackSender(spec, clock=clock, transport=transport, base_dir=base_dir)
        case "teams":
            return TeamsSender(spec, clock=clock, transport=transport, base_dir=base_dir)
        case "pagerduty":
            return PagerDutySender(spec, clock=clock, transport=transport, base_dir=base_dir)
        case "email":
            return EmailSender(spec, env=env, base_dir=base_dir, ssl_context=ssl_context)
        case "webhook":
            return WebhookSender(spec, clock=clock, transport=transport)


def build_senders(
    policy: NotificationsPolicy,
    *,
    clock: Clock,
    env: Mapping[str, str],
    transport: httpx.BaseTransport | None = None,
    base_dir: Path | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> dict[str, Sender]:
    """One sender per channel of the policy, by channel name."""
    return {
        name: build_sender(
            spec,
            clock=clock,
            env=env,
            transport=transport,
            base_dir=base_dir,
            ssl_context=ssl_context,
        )
        for name, spec in policy.channels.items()
    }
