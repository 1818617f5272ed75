"""The structured escalation handoff: form, completeness check, warm/cold rule, rendering, and
the receiving side (acceptance, rejection feedback, ownership transfer, resolution, closure)."""

from escalon.domain.handoff.acceptance import (
    OwnershipTransfer,
    RejectionFeedback,
    confirm_transfer,
    rejection_feedback,
)
from escalon.domain.handoff.check import (
    ORIGINATOR_FIELDS,
    HandoffCheck,
    HandoffSignals,
    check_handoff,
    completeness_score,
    is_filled,
    parse_handoff,
    summarise_handoff,
    validate_field_names,
    with_ticket_context,
)
from escalon.domain.handoff.form import HANDOFF_FIELDS, HandoffForm, TicketInformation
from escalon.domain.handoff.mode import (
    HandoffMode,
    HandoffModeChoice,
    WarmRule,
    choose_handoff_mode,
)
from escalon.domain.handoff.render import RENDER_FORMATS, RenderFormat, render_handoff
from escalon.domain.handoff.resolution import (
    Closure,
    KbFollowUp,
    OverEscalationFlag,
    Resolution,
    ResolutionCheck,
    check_resolution,
    close_escalation,
)

__all__ = [
    "Closure",
    "KbFollowUp",
    "OverEscalationFlag",
    "OwnershipTransfer",
    "RejectionFeedback",
    "Resolution",
    "ResolutionCheck",
    "check_resolution",
    "close_escalation",
    "confirm_transfer",
    "rejection_feedback",
    "HANDOFF_FIELDS",
    "ORIGINATOR_FIELDS",
    "RENDER_FORMATS",
    "HandoffCheck",
    "HandoffSignals",
    "HandoffForm",
    "HandoffMode",
    "HandoffModeChoice",
    "RenderFormat",
    "TicketInformation",
    "WarmRule",
    "check_handoff",
    "choose_handoff_mode",
    "completeness_score",
    "is_filled",
    "parse_handoff",
    "summarise_handoff",
    "render_handoff",
    "validate_field_names",
    "with_ticket_context",
]
