"""`summarise_handoff` (the engine's quick check of a plain JSON handoff) agrees with
`check_handoff` wherever it answers, and answers for ordinary forms."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalon.domain.handoff import (
    HANDOFF_FIELDS,
    HandoffForm,
    HandoffSignals,
    TicketInformation,
    check_handoff,
    summarise_handoff,
)
from escalon.domain.handoff.check import _KINDS

KNOWN = {
    "ticket_id": "T-1",
    "priority": "P2",
    "escalation_from": "L1",
    "escalation_to": "L2",
}
REQUIRED = [
    "issue_summary.customer_description",
    "troubleshooting.steps",
    "current_status.workaround_details",
    "customer_communication.customer_notified",
    "ticket_information.ticket_id",
    "ticket_information.sla_remaining",
]


@pytest.fixture
def filled() -> dict[str, Any]:
    """A handoff with every originating-tier field filled."""
    return {
        "ticket_information": {
            "ticket_id": "T-1042",
            "priority": "P2",
            "escalation_from": "L1 / Dana",
            "escalation_to": "L2 Integrations",
            "escalation_time": "2025-04-01T13:00:00Z",
            "sla_remaining": "2h30m",
        },
        "issue_summary": {
            "customer_description": "Orders stopped syncing to our ERP since this morning.",
            "technical_description": "Webhook deliveries to the ERP endpoint return 401.",
            "impact": "All orders for one enterprise customer.",
        },
        "troubleshooting": {
            "steps": [
                {"step": "Re-sent a failed webhook", "result": "401 again", "time_spent": "10m"},
                {"step": "Rotated the API key"},
            ],
            "attachments": ["webhook-log.txt"],
        },
        "current_status": {
            "issue_reproduced": "yes",
            "workaround_provided": True,
            "workaround_details": "manual CSV export",
            "customer_sentiment": "frustrated",
            "last_customer_communication": "2025-04-01T12:45:00+02:00",
        },
        "hypothesis": {
            "likely_cause": "Token audience changed after the auth upgrade.",
            "recommended_action": "Check the ERP connector's token audience.",
            "additional_context": "Started after the 09:00 deploy.",
        },
        "customer_communication": {
            "customer_notified": True,
            "notified_at": "2025-04-01T12:50:00Z",
            "expected_update_time": "2025-04-01T15:00:00.5Z",
            "preferences": "e-mail, every 2 hours",
            "prefers_live_transfer": False,
            "vip": True,
            "relationship_notes": "Renewal due in May.",
        },
    }


_TEXTS = st.sampled_from(["", "  ", "x", "Orders fail", "P2", "yes"])
_VALID: dict[str, st.SearchStrategy[Any]] = {
    "text": st.one_of(st.none(), _TEXTS),
    "flag": st.one_of(st.none(), st.booleans()),
    "priority": st.sampled_from([None, "P1", "P4"]),
    "reproduced": st.sampled_from([None, "yes", "no", "partial"]),
    "sentiment": st.sampled_from([None, "neutral", "upset"]),
    "instant": st.sampled_from(
        [None, "2025-04-01T12:50:00Z", "2025-04-01T12:50:00+02:00", "2025-04-01T12:50:00.25-05:30"]
    ),
    "duration": st.sampled_from([None, "15m", "1h30m", "2d", " 4h "]),
    "steps": st.lists(
        st.fixed_dictionaries(
            {"step": st.sampled_from(["Retried", " "])},
            optional={
                "result": st.one_of(st.none(), _TEXTS),
                "time_spent": st.sampled_from([None, "15m"]),
            },
        ),
        max_size=2,
    ),
    "texts": st.lists(_TEXTS, max_size=2),
}
_INVALID: dict[str, st.SearchStrategy[Any]] = {
    "text": st.sampled_from([0, True, ["x"]]),
    "flag": st.sampled_from([0, 1, "true"]),
    "priority": st.sampled_from(["P5", "p1", ""]),
    "reproduced": st.sampled_from(["Yes", ""]),
    "sentiment": st.sampled_from(["angry", ""]),
    "instant": st.sampled_from(
        ["2025-04-01 12:50:00Z", "2025-04-01T12:50:00", "2025-02-30T12:50:00Z", "later", 5]
    ),
    "duration": st.sampled_from(["15", "", "soon", 15]),
    "steps": st.sampled_from(
        [None, [{"step": ""}], [{"result": "x"}], [{"step": "a", "extra": 1}], ["a step"]]
    ),
    "texts": st.sampled_from([None, [4], "a.txt"]),
}


def _forms(invalid: bool) -> st.SearchStrategy[dict[str, Any]]:
    def section(name: str) -> st.SearchStrategy[Any]:
        kinds = _KINDS[name]
        values = {
            field: st.one_of(_VALID[kind], _INVALID[kind]) if invalid else _VALID[kind]
            for field, kind in kinds.items()
        }
        if invalid:
            values["unknown"] = st.just("x")
        fields = st.fixed_dictionaries({}, optional=values)
        return st.one_of(fields, st.sampled_from([None, "text"])) if invalid else fields

    extra = {"elsewhere": st.just({})} if invalid else {}
    return st.fixed_dictionaries({}, optional={**{n: section(n) for n in _KINDS}, **extra})


def _compare(raw: Any, required: list[str], known: dict[str, Any]) -> bool:
    """True when the quick check answered (and agreed)."""
    quick = summarise_handoff(raw, required, known)
    if quick is None:
        return False
    full = check_handoff(raw, required, context=TicketInformation.model_validate(known))
    verdict, signals = quick
    assert full.form is not None
    assert (verdict.complete, verdict.missing, verdict.invalid, verdict.score, verdict.reason) == (
        full.complete,
        full.missing,
        full.invalid,
        full.score,
        full.reason,
    )
    assert signals == HandoffSignals.of(full.form)
    return True


@settings(max_examples=300, deadline=None)
@given(_forms(invalid=False), st.sampled_from([KNOWN, {**KNOWN, "ticket_id": " "}]))
def test_quick_check_answers_for_plain_forms_and_agrees(
    raw: dict[str, Any], known: dict[str, Any]
) -> None:
    assert _compare(raw, REQUIRED, known)


@settings(max_examples=500, deadline=None)
@given(_forms(invalid=True))
def test_quick_check_agrees_with_the_full_check_or_declines(raw: dict[str, Any]) -> None:
    _compare(raw, REQUIRED, KNOWN)


def test_quick_check_answers_for_complete_and_partial_forms(filled: dict[str, Any]) -> None:
    assert _compare(filled, REQUIRED, KNOWN)
    assert _compare({}, REQUIRED, KNOWN)
    filled["current_status"]["workaround_provided"] = False
    filled["current_status"]["workaround_details"] = None
    del filled["ticket_information"]
    assert _compare(filled, REQUIRED, KNOWN)


def test_quick_check_leaves_what_it_cannot_vouch_for_to_the_full_check(
    filled: dict[str, Any],
) -> None:
    filled["customer_communication"]["notified_at"] = "2025-04-01 12:50Z"  # valid, other form
    assert summarise_handoff(filled, REQUIRED, KNOWN) is None
    assert summarise_handoff({}, ["issue_summary.nothing"], KNOWN) is None
    assert summarise_handoff({}, REQUIRED, {**KNOWN, "priority": "P9"}) is None


def test_the_kinds_table_lists_every_form_field() -> None:
    listed = [f"{section}.{name}" for section, fields in _KINDS.items() for name in fields]
    assert listed == list(HANDOFF_FIELDS)
    assert list(_KINDS) == list(HandoffForm.model_fields)
