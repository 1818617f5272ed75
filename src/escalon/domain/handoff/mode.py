"""Warm or cold handoff: whether the sending agent stays on to introduce the receiving tier.

A warm handoff (live transfer: the sender briefs the receiver with the customer present or on a
call) costs two people's time, so it is kept for cases where losing context or making the customer
repeat themselves hurts most. The rule is the policy's (`handoff.warm_when`): warm when the
priority is listed, the customer is VIP, the sentiment is listed, or the customer prefers a live
transfer. Any single condition makes the handoff warm; the verdict lists every one that held, so
the choice can be explained.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal, Protocol

HandoffMode = Literal["warm", "cold"]


class WarmRule(Protocol):
    """The shape of the policy's warm-handoff rule (`Policy.handoff.warm_when`)."""

    @property
    def priorities(self) -> Collection[str]: ...
    @property
    def vip(self) -> bool: ...
    @property
    def sentiments(self) -> Collection[str]: ...
    @property
    def customer_prefers_live(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class HandoffModeChoice:
    mode: HandoffMode
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def choose_handoff_mode(
    rule: WarmRule,
    *,
    priority: str | None = None,
    vip: bool | None = None,
    sentiment: str | None = None,
    prefers_live_transfer: bool | None = None,
    requested_warm: bool | None = None,
) -> HandoffModeChoice:
    """Apply the rule to one escalation and say why.

    `requested_warm` is the requester's own choice (the event's `warm`): it can make a handoff
    warm, never cold when the policy requires warm, because the policy sets the minimum.
    """
    reasons: list[str] = []
    if priority is not None and priority in rule.priorities:
        listed = ", ".join(sorted(rule.priorities))
        reasons.append(f"priority {priority} is a warm-handoff priority ({listed})")
    if rule.vip and vip:
        reasons.append("the customer is VIP")
    if sentiment is not None and sentiment in rule.sentiments:
        reasons.append(f"customer sentiment is {sentiment}")
    if rule.customer_prefers_live and prefers_live_transfer:
        reasons.append("the customer prefers a live transfer")
    if requested_warm:
        reasons.append("the requester asked for a warm handoff")
    if reasons:
        if requested_warm is False:
            reasons.append("the requester asked for cold, but the policy requires warm")
        return HandoffModeChoice("warm", tuple(reasons))
    facts = f"priority {priority or 'unknown'}, sentiment {sentiment or 'unknown'}"
    return HandoffModeChoice("cold", (f"no warm-handoff condition holds ({facts})",))
