"""The `notifications` section of a policy: channels, routes and quiet hours.

Every field defaults to empty so that a policy without a `notifications` section is valid and
simply sends nothing. Channel configuration is checked here (missing URL, malformed secret) so a
misconfigured channel fails `escalon policy validate`, never a delivery at 3 a.m.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from escalon.domain.durations import Duration, DurationField
from escalon.domain.notify.message import NotificationKind

ChannelType = Literal["slack", "teams", "pagerduty", "email", "webhook"]

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"invalid URL {value!r}: must start with https:// (or http://)")
    return value


def check_webhook_secret(value: str) -> str:
    """A Standard Webhooks secret: `whsec_` followed by base64 of at least 24 bytes."""
    if not value.startswith("whsec_"):
        raise ValueError("a webhook secret must start with 'whsec_'")
    try:
        key = base64.b64decode(value.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret must be 'whsec_' + base64") from None
    if len(key) < 24:
        raise ValueError("a webhook secret must hold at least 24 bytes (192 bits)")
    return value


class _ChannelBase(_Frozen):
    """Settings every channel shares: a send timeout and a rate limit."""

    timeout: DurationField = Field(default=Duration(seconds=10))
    rate_per_second: float | None = Field(
        default=None, gt=0, description="Messages per second; None uses the channel's default."
    )


class SlackChannel(_ChannelBase):
    type: Literal["slack"]
    url: str
    template: str | None = Field(
        default=None, description="Path of a Jinja2 template replacing the built-in one."
    )

    _url = field_validator("url")(_http_url)


class TeamsChannel(_ChannelBase):
    type: Literal["teams"]
    url: str
    template: str | None = Field(
        default=None, description="Path of a Jinja2 template replacing the built-in one."
    )

    _url = field_validator("url")(_http_url)


class PagerDutyChannel(_ChannelBase):
    type: Literal["pagerduty"]
    routing_key: str = Field(min_length=32, max_length=32)
    url: str = PAGERDUTY_EVENTS_URL
    source: str = "escalon"
    template: str | None = Field(
        default=None, description="Path of a Jinja2 template replacing the built-in one."
    )

    _url = field_validator("url")(_http_url)


class EmailChannel(_ChannelBase):
    type: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = Field(
        default=None, description="Name of the environment variable holding the SMTP password."
    )
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[str] = Field(default_factory=list)
    template: str | None = Field(default=None, description="Plain-text body template path.")
    html_template: str | None = Field(default=None, description="HTML body template path.")
    subject_template: str | None = Field(default=None, description="Subject line template path.")


class WebhookChannel(_ChannelBase):
    type: Literal["webhook"]
    url: str
    secrets: list[str] = Field(min_length=1)

    _url = field_validator("url")(_http_url)

    @field_validator("secrets")
    @classmethod
    def _valid_secrets(cls, value: list[str]) -> list[str]:
        return [check_webhook_secret(secret) for secret in value]


ChannelSpec = Annotated[
    SlackChannel | TeamsChannel | PagerDutyChannel | EmailChannel | WebhookChannel,
    Field(discriminator="type"),
]


class Route(_Frozen):
    """Send matching notifications to one channel; an empty filter list matches everything."""

    channel: str
    kinds: list[NotificationKind] = Field(default_factory=list)
    tiers: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    priorities: list[str] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)
    target: str | None = Field(
        default=None, description="Recipient within the channel: a person or team (e-mail address)."
    )
    calendar: str | None = Field(
        default=None, description="Working calendar of the recipient; enables quiet hours."
    )


def _management_escalation() -> list[NotificationKind]:
    return ["management_escalation"]


class QuietHours(_Frozen):
    """Hold non-urgent messages to people and teams until their calendar opens."""

    enabled: bool = True
    urgent_priorities: list[str] = Field(default_factory=lambda: ["P1"])
    urgent_kinds: list[NotificationKind] = Field(default_factory=_management_escalation)
    urgent_tiers: list[str] = Field(default_factory=lambda: ["management"])


class NotificationsPolicy(_Frozen):
    """Where escalon's decisions are delivered, and when."""

    channels: dict[str, ChannelSpec] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    max_attempts: int = Field(default=12, ge=1, le=50)


SLACK_RATE_PER_SECOND = 1.0
"""Slack accepts about one message per second per incoming webhook."""


def channel_rate(spec: ChannelSpec) -> float | None:
    """Messages per second for a channel: its own setting, else its service's known limit."""
    if spec.rate_per_second is not None:
        return spec.rate_per_second
    return SLACK_RATE_PER_SECOND if spec.type == "slack" else None
