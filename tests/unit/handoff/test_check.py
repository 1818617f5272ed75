from __future__ import annotations

from typing import Any

import pytest

from escalon.domain.handoff import (
    HANDOFF_FIELDS,
    ORIGINATOR_FIELDS,
    HandoffForm,
    TicketInformation,
    check_handoff,
    completeness_score,
    validate_field_names,
)

REQUIRED = [
    "issue_summary.customer_description",
    "troubleshooting.steps",
    "hypothesis.likely_cause",
]


def test_every_originator_field_filled_scores_100(filled: dict[str, Any]) -> None:
    verdict = check_handoff(filled, REQUIRED)
    assert verdict.complete and verdict.missing == () and verdict.score == 100


def test_blank_form_scores_zero_and_lists_every_required_field() -> None:
    verdict = check_handoff({}, REQUIRED)
    assert not verdict.complete
    assert verdict.missing == tuple(REQUIRED)
    assert verdict.score == 0
    assert "issue_summary.customer_description" in verdict.reason


def test_score_is_the_floored_share_of_26_originator_fields(filled: dict[str, Any]) -> None:
    assert len(ORIGINATOR_FIELDS) == 26
    filled["hypothesis"] = {}
    filled["troubleshooting"]["attachments"] = []
    # 26 - 3 - 1 = 22 filled; 100 * 22 // 26 = 84
    assert check_handoff(filled, []).score == 84


def test_blank_text_and_empty_lists_are_missing(filled: dict[str, Any]) -> None:
    filled["issue_summary"]["customer_description"] = "   "
    filled["troubleshooting"]["steps"] = []
    verdict = check_handoff(filled, REQUIRED)
    assert verdict.missing == ("issue_summary.customer_description", "troubleshooting.steps")


def test_workaround_details_matter_only_when_a_workaround_was_given(filled: dict[str, Any]) -> None:
    required = ["current_status.workaround_details"]
    filled["current_status"]["workaround_details"] = None
    assert check_handoff(filled, required).missing == ("current_status.workaround_details",)
    filled["current_status"]["workaround_provided"] = False
    assert check_handoff(filled, required).complete
    filled["current_status"]["workaround_provided"] = None
    assert not check_handoff(filled, required).complete


def test_acceptance_section_does_not_count_towards_the_score(filled: dict[str, Any]) -> None:
    before = check_handoff(filled, []).score
    filled["acceptance"] = {"received_by": "Lee", "estimated_resolution": "4h"}
    assert check_handoff(filled, []).score == before


def test_invalid_values_are_reported_not_raised() -> None:
    verdict = check_handoff({"current_status": {"customer_sentiment": "angry"}}, REQUIRED)
    assert not verdict.complete
    assert verdict.invalid and verdict.invalid[0].startswith("current_status.customer_sentiment")
    assert "invalid current_status.customer_sentiment" in verdict.reason


def test_unknown_section_or_field_is_invalid() -> None:
    verdict = check_handoff({"issue_summary": {"colour": "red"}}, [])
    assert verdict.invalid[0].startswith("issue_summary.colour")


def test_ticket_context_fills_blanks_but_keeps_what_the_agent_wrote(filled: dict[str, Any]) -> None:
    filled["ticket_information"] = {"priority": "P1"}
    context = TicketInformation(ticket_id="T-9", priority="P3", escalation_to="L2")
    verdict = check_handoff(filled, ["ticket_information.ticket_id"], context=context)
    assert verdict.complete and verdict.form is not None
    assert verdict.form.ticket_information.ticket_id == "T-9"
    assert verdict.form.ticket_information.priority == "P1"


def test_unknown_required_field_names_are_rejected() -> None:
    assert validate_field_names(["issue_summary.impact"]) == ("issue_summary.impact",)
    with pytest.raises(ValueError, match="issue_summary.customers_words"):
        validate_field_names(["issue_summary.customers_words"])
    with pytest.raises(ValueError):
        check_handoff({}, ["impact"])


def test_field_names_cover_every_section() -> None:
    sections = {name.split(".")[0] for name in HANDOFF_FIELDS}
    assert sections == set(HandoffForm.model_fields)


def test_score_rises_by_field(filled: dict[str, Any]) -> None:
    form = HandoffForm.model_validate({"issue_summary": filled["issue_summary"]})
    assert completeness_score(form) == 100 * 3 // 26
