"""After the executive is engaged: daily status updates until resolved, and the post-escalation
review with its follow-up items.

Status updates are due on a fixed cadence (the policy's `management.response.status_updates`,
daily by default) counted from the last update sent, or from the management escalation when none
was sent, and stop once the ticket is resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

RelationshipStatus = Literal["restored", "stable", "at_risk", "lost"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatusUpdatePlan(_Record):
    """Where the update cadence stands at `now`."""

    sent: int
    next_due: AwareDatetime | None = Field(description="None once the ticket is resolved.")
    overdue: bool
    overdue_by: timedelta | None = None


def status_update_plan(
    *,
    escalated_at: datetime,
    cadence: timedelta,
    sent: Sequence[datetime],
    now: datetime,
    resolved_at: datetime | None = None,
) -> StatusUpdatePlan:
    """The next status update due and whether it is late; updates before escalation don't count."""
    if cadence <= timedelta(0):
        raise ValueError("status update cadence must be positive")
    counted = sorted(at for at in sent if escalated_at <= at <= now)
    if resolved_at is not None and resolved_at <= now:
        return StatusUpdatePlan(sent=len(counted), next_due=None, overdue=False)
    due = (counted[-1] if counted else escalated_at) + cadence
    late = now > due
    return StatusUpdatePlan(
        sent=len(counted), next_due=due, overdue=late, overdue_by=now - due if late else None
    )


class StatusUpdate(_Record):
    """One daily status update to the customer's executive."""

    ticket: str
    at: AwareDatetime
    progress: str
    next_steps: list[str] = Field(default_factory=list)
    next_update: AwareDatetime | None = None


class FollowUpItem(_Record):
    action: str
    owner: str | None = None
    due: AwareDatetime | None = None
    done: bool = False


class PostEscalationReview(_Record):
    """The seed's post-escalation review: debrief, relationship, process, training, root cause."""

    ticket: str
    held_at: AwareDatetime | None = None
    debrief: str | None = None
    relationship_status: RelationshipStatus | None = None
    process_improvements: list[str] = Field(default_factory=list)
    training_needs: list[str] = Field(default_factory=list)
    systemic_root_cause: str | None = None
    follow_ups: list[FollowUpItem] = Field(default_factory=list)

    @property
    def open_follow_ups(self) -> list[FollowUpItem]:
        return [item for item in self.follow_ups if not item.done]


def review_template(
    ticket: str,
    *,
    resolved_at: datetime,
    follow_up_within: timedelta = timedelta(days=7),
    root_cause_recorded: bool = False,
    kb_article: str | None = None,
    over_escalation: str | None = None,
    csat_score: int | None = None,
) -> PostEscalationReview:
    """A review to fill in, with follow-up items derived from what the resolution left open."""
    due = resolved_at + follow_up_within
    items = [FollowUpItem(action="Hold the escalation debrief with the team", due=due)]
    if not root_cause_recorded:
        items.append(FollowUpItem(action="Record the root cause analysis", due=due))
    if kb_article is None:
        items.append(FollowUpItem(action="Create or update the knowledge-base article", due=due))
    if over_escalation is not None:
        items.append(
            FollowUpItem(
                action=f"Coach the originating tier on the over-escalation ({over_escalation})",
                due=due,
            )
        )
    if csat_score is None:
        items.append(FollowUpItem(action="Follow up on customer satisfaction (CSAT)", due=due))
    elif csat_score <= 3:
        items.append(
            FollowUpItem(
                action=f"Relationship restoration call (CSAT {csat_score}/5)",
                owner="account executive",
                due=due,
            )
        )
    return PostEscalationReview(ticket=ticket, follow_ups=items)
