from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from escalon.domain.handoff import HandoffForm, render_handoff

SEED = Path(__file__).parents[4] / "shared" / "seed" / "escalation-management.md"


def _seed_form() -> str:
    text = SEED.read_text(encoding="utf-8")
    match = re.search(r"```\n(ESCALATION HANDOFF FORM\n.*?)```", text, re.S)
    assert match
    return match.group(1)


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not next to the checkout")
def test_blank_form_is_exactly_the_seed_template() -> None:
    assert render_handoff(HandoffForm()) == _seed_form()


def test_filled_text_keeps_labels_and_indentation(filled: dict[str, Any]) -> None:
    text = render_handoff(HandoffForm.model_validate(filled))
    lines = text.splitlines()
    assert lines[0] == "ESCALATION HANDOFF FORM"
    assert "  Ticket ID: T-1042" in lines
    assert "  Escalation time: 2025-04-01 13:00 UTC" in lines
    assert "  SLA remaining: 2h30m" in lines
    assert "  1. Re-sent a failed webhook, 401 again, 10m" in lines
    assert "  2. Rotated the API key, no change, 20m" in lines
    assert "  Attachments: webhook-log.txt, screenshot.png" in lines
    assert "  Issue reproduced: Yes" in lines
    assert "  Workaround provided: Yes — manual CSV export" in lines
    assert "  Customer sentiment: Frustrated" in lines
    assert "  Customer notified of escalation: Yes, 2025-04-01 12:50 UTC" in lines
    assert "  Key relationship notes: VIP; Renewal due in May." in lines
    # The acceptance section is not filled yet and keeps its placeholders.
    assert "  Received by: [Name, time]" in lines
    headers = [line for line in lines if line.endswith(":") and not line.startswith(" ")]
    assert headers == [
        "TICKET INFORMATION:",
        "ISSUE SUMMARY:",
        "TROUBLESHOOTING STEPS TAKEN:",
        "CURRENT STATUS:",
        "HYPOTHESIS & RECOMMENDATION:",
        "CUSTOMER COMMUNICATION:",
        "ESCALATION ACCEPTANCE:",
    ]


def test_offsets_other_than_utc_are_shown() -> None:
    form = HandoffForm.model_validate(
        {"ticket_information": {"escalation_time": "2025-04-01T09:00:00-04:00"}}
    )
    assert "  Escalation time: 2025-04-01 09:00 -04:00\n" in render_handoff(form)


def test_multiline_answers_stay_indented() -> None:
    form = HandoffForm.model_validate({"hypothesis": {"likely_cause": "one\ntwo"}})
    assert "  Likely cause: one\n    two\n" in render_handoff(form)


def test_json_round_trips(filled: dict[str, Any]) -> None:
    form = HandoffForm.model_validate(filled)
    again = HandoffForm.model_validate(json.loads(render_handoff(form, "json")))
    assert again == form


def test_markdown_has_sections_and_marks_missing(filled: dict[str, Any]) -> None:
    filled["hypothesis"] = {}
    text = render_handoff(HandoffForm.model_validate(filled), "markdown")
    assert text.startswith("# Escalation handoff form\n")
    assert "## Hypothesis and recommendation" in text
    assert "- **Likely cause:** _not provided_" in text
    assert "1. Re-sent a failed webhook, 401 again, 10m" in text
