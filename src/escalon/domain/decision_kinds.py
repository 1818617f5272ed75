"""The kinds of decision the engine makes, in one place.

The engine emits them and the notification routing accepts them; both import this module (which
imports nothing) so the two lists cannot drift apart and no import cycle runs through the policy.
"""

from __future__ import annotations

from typing import Literal, get_args

DecisionKind = Literal[
    "escalate",
    "management_escalation",
    "sla_warning",
    "sla_breach",
    "require_acknowledgement",
    "acknowledgement_missed",
    "update_due",
    "major_incident_declared",
    "major_incident_linked",
    "major_incident_resolved",
    "vendor_escalation",
    "escalation_rejected_unjustified",
    "escalation_refused_incomplete_handoff",
    "rca_missing",
    "approval_required",
]

DECISION_KINDS: tuple[str, ...] = get_args(DecisionKind)
