"""The handoff form a simulated agent fills in when escalating.

The default policy refuses an escalation whose handoff lacks the path's required fields, so the
simulator writes every section a path can require; sentiment, reproduction and workaround vary
with the draw so warm/cold choices and completeness analytics have something to show.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_SENTIMENTS = ("satisfied", "neutral", "frustrated", "upset")
_SENTIMENT_SHARES = (0.15, 0.45, 0.3, 0.1)
_REPRODUCED = ("yes", "no", "partial")


def handoff_form(rng: np.random.Generator, *, reason: str, by: str, to_tier: str) -> dict[str, Any]:
    """A complete handoff form for an escalation from `by` to `to_tier` for `reason`."""
    what = reason.replace("_", " ")
    workaround = bool(rng.random() < 0.4)
    return {
        "issue_summary": {
            "customer_description": f"Customer reports a {what} problem blocking their work.",
            "technical_description": f"Triage by {by} points to a {what}; beyond the runbook.",
            "impact": "One customer team blocked; no data loss reported.",
        },
        "troubleshooting": {
            "steps": [
                {
                    "step": "Reproduced with the customer's settings",
                    "result": "seen",
                    "time_spent": "20m",
                },
                {
                    "step": "Checked known issues and the knowledge base",
                    "result": "no match",
                    "time_spent": "10m",
                },
            ],
            "attachments": ["diagnostics.log"],
        },
        "current_status": {
            "issue_reproduced": _REPRODUCED[int(rng.integers(len(_REPRODUCED)))],
            "workaround_provided": workaround,
            "workaround_details": "Manual retry of the failed step" if workaround else None,
            "customer_sentiment": _SENTIMENTS[
                int(rng.choice(len(_SENTIMENTS), p=np.array(_SENTIMENT_SHARES)))
            ],
        },
        "hypothesis": {
            "likely_cause": f"A {what} outside {by}'s tools",
            "recommended_action": f"{to_tier} to confirm the cause and advise a fix",
        },
        "customer_communication": {
            "customer_notified": True,
            "prefers_live_transfer": bool(rng.random() < 0.1),
        },
    }
