"""Management and executive escalation: executive matching, the preparation briefing, the
communication log, daily status updates and the post-escalation review."""

from escalon.domain.executive.briefing import (
    CommunicationEntry,
    EscalationSummary,
    ManagementEscalation,
    ManagementStatus,
    PreparationBriefing,
    SlaLine,
    TimelineEntry,
    build_briefing,
    describe,
    match_executive,
)
from escalon.domain.executive.followup import (
    FollowUpItem,
    PostEscalationReview,
    StatusUpdate,
    StatusUpdatePlan,
    review_template,
    status_update_plan,
)
from escalon.domain.executive.render import (
    briefing_markdown,
    review_markdown,
    status_update_text,
    when,
)

__all__ = [
    "CommunicationEntry",
    "EscalationSummary",
    "FollowUpItem",
    "ManagementEscalation",
    "ManagementStatus",
    "PostEscalationReview",
    "PreparationBriefing",
    "SlaLine",
    "StatusUpdate",
    "StatusUpdatePlan",
    "TimelineEntry",
    "briefing_markdown",
    "build_briefing",
    "describe",
    "match_executive",
    "review_markdown",
    "review_template",
    "status_update_plan",
    "status_update_text",
    "when",
]
