"""Closing an escalation well: a resolution summary, a root cause where the path demands one, a
knowledge-base follow-up, a CSAT follow-up, and the receiving tier's over-escalation flag.

The over-escalation flag is how the receiving tier says "this did not need us" without rejecting
the work: the reason code (knowledge gap, tool limitation, authority limit, other) feeds the
dashboard's FCR barriers and per-team coaching.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from escalon.domain.events import OverEscalationReason

KbAction = Literal["create", "update", "none"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KbFollowUp(_Record):
    """The knowledge-base work a resolution leaves: write an article, fix one, or nothing."""

    action: KbAction
    article: str | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _article_for_update(self) -> KbFollowUp:
        if self.action == "update" and not self.article:
            raise ValueError("article: name the article to update")
        if self.action == "none" and not self.reason:
            raise ValueError("reason: say why no article is needed")
        return self


class OverEscalationFlag(_Record):
    reason: OverEscalationReason
    note: str | None = None


class Resolution(_Record):
    """What the resolving tier records when it resolves an escalated ticket."""

    ticket: str
    resolved_at: AwareDatetime
    resolved_by: str | None = None
    summary: str | None = None
    root_cause: str | None = None
    kb: KbFollowUp | None = None
    over_escalation: OverEscalationFlag | None = None


class ResolutionCheck(_Record):
    complete: bool
    missing: list[str] = Field(default_factory=list)

    @property
    def reason(self) -> str:
        if self.complete:
            return "resolution complete"
        return "resolution incomplete: missing " + ", ".join(self.missing)


def check_resolution(resolution: Resolution, *, rca_required: bool) -> ResolutionCheck:
    """A summary and a KB decision are always needed; a root cause where the path requires RCA."""
    missing = []
    if not (resolution.summary or "").strip():
        missing.append("summary")
    if rca_required and not (resolution.root_cause or "").strip():
        missing.append("root_cause")
    if resolution.kb is None:
        missing.append("kb")
    return ResolutionCheck(complete=not missing, missing=missing)


class Closure(_Record):
    """Closing an escalation schedules the customer-satisfaction follow-up."""

    ticket: str
    closed_at: AwareDatetime
    csat_survey_at: AwareDatetime
    kb: KbFollowUp | None = None
    over_escalation: OverEscalationFlag | None = None


def close_escalation(
    resolution: Resolution,
    *,
    rca_required: bool,
    closed_at: datetime,
    csat_after: timedelta = timedelta(days=1),
) -> Closure:
    """Close a resolved escalation; refuses (ValueError) while the resolution is incomplete.

    The CSAT survey goes out `csat_after` the closure (a day by default), late enough for the
    customer to have seen the fix work and early enough to remember the experience.
    """
    verdict = check_resolution(resolution, rca_required=rca_required)
    if not verdict.complete:
        raise ValueError(verdict.reason)
    if closed_at < resolution.resolved_at:
        raise ValueError("closed_at: a ticket cannot be closed before it was resolved")
    return Closure(
        ticket=resolution.ticket,
        closed_at=closed_at,
        csat_survey_at=closed_at + csat_after,
        kb=resolution.kb,
        over_escalation=resolution.over_escalation,
    )
