"""The receiving side of a handoff: acknowledgement, rejection with feedback, ownership transfer.

A rejection is only useful if the originating tier learns from it, so it always carries the reason,
the receiver's feedback and, when the handoff was short of fields, exactly which ones. An accepted
escalation produces an ownership-transfer record: who owns the ticket now, since when, and whether
the acknowledgement came inside its target. The resolution clock is *not* restarted by the
transfer: it belongs to the ticket, and the record says so with the time already consumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from escalon.domain.durations import format_duration
from escalon.domain.handoff.check import HandoffCheck


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RejectionFeedback(_Record):
    """What the originating tier gets back when the receiving tier sends an escalation back."""

    ticket: str
    returned_to: str
    rejected_by: str | None = None
    rejecting_tier: str
    at: AwareDatetime
    reason: str
    feedback: str | None = None
    missing_fields: list[str] = Field(default_factory=list)
    handoff_score: int | None = None

    @property
    def message(self) -> str:
        """One paragraph for the originating agent."""
        parts = [f"{self.rejecting_tier} sent {self.ticket} back: {self.reason}."]
        if self.feedback:
            parts.append(f"Feedback: {self.feedback}.")
        if self.missing_fields:
            parts.append("Missing from the handoff: " + ", ".join(self.missing_fields) + ".")
        if self.handoff_score is not None:
            parts.append(f"Handoff completeness: {self.handoff_score}/100.")
        return " ".join(parts)


def rejection_feedback(
    *,
    ticket: str,
    originating_tier: str,
    rejecting_tier: str,
    at: datetime,
    reason: str,
    feedback: str | None = None,
    rejected_by: str | None = None,
    handoff: HandoffCheck | None = None,
) -> RejectionFeedback:
    """Feedback for the originating tier; the handoff verdict adds the fields that were missing."""
    return RejectionFeedback(
        ticket=ticket,
        returned_to=originating_tier,
        rejected_by=rejected_by,
        rejecting_tier=rejecting_tier,
        at=at,
        reason=reason,
        feedback=feedback,
        missing_fields=list(handoff.missing) if handoff else [],
        handoff_score=handoff.score if handoff else None,
    )


class OwnershipTransfer(_Record):
    """The confirmed move of a ticket from one tier to the next."""

    ticket: str
    from_tier: str
    to_tier: str
    owner: str
    requested_at: AwareDatetime
    accepted_at: AwareDatetime
    acknowledged_in: timedelta
    acknowledgement_target: timedelta
    acknowledged_within_target: bool
    resolution_consumed: timedelta | None = Field(
        default=None, description="Resolution time already used; the clock continues from here."
    )
    escalated_to_after_miss: list[str] = Field(default_factory=list)

    @property
    def confirmation(self) -> str:
        """The line recorded on the ticket when ownership moves."""
        timing = "within" if self.acknowledged_within_target else "outside"
        line = (
            f"{self.ticket} now owned by {self.owner} ({self.to_tier}), taken over from "
            f"{self.from_tier}; acknowledged in {_span(self.acknowledged_in)}, {timing} the "
            f"{_span(self.acknowledgement_target)} target"
        )
        if self.resolution_consumed is not None:
            line += (
                f"; resolution clock continues with {_span(self.resolution_consumed)} already used"
            )
        return line


def confirm_transfer(
    *,
    ticket: str,
    from_tier: str,
    to_tier: str,
    owner: str,
    requested_at: datetime,
    accepted_at: datetime,
    acknowledgement_target: timedelta,
    acknowledged_in: timedelta | None = None,
    resolution_consumed: timedelta | None = None,
    chased: Sequence[str] = (),
) -> OwnershipTransfer:
    """Record an accepted escalation.

    `acknowledged_in` is the time counted on the tier's calendar (the engine's acknowledgement
    clock); without it the wall-clock span is used, which is right only on a 24x7 calendar.
    """
    if accepted_at < requested_at:
        raise ValueError("accepted_at: an escalation cannot be accepted before it was requested")
    taken = acknowledged_in if acknowledged_in is not None else accepted_at - requested_at
    return OwnershipTransfer(
        ticket=ticket,
        from_tier=from_tier,
        to_tier=to_tier,
        owner=owner,
        requested_at=requested_at,
        accepted_at=accepted_at,
        acknowledged_in=taken,
        acknowledgement_target=acknowledgement_target,
        acknowledged_within_target=taken <= acknowledgement_target,
        resolution_consumed=resolution_consumed,
        escalated_to_after_miss=list(chased),
    )


def _span(span: timedelta) -> str:
    return format_duration(span)
