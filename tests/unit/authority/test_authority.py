from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from tests.unit.authority.matrices import Matrix

from escalon.domain.authority import (
    UnknownRole,
    check_authority,
    decide,
    lowest_approver,
    money,
    ordered_roles,
    parse_amount,
    request_authority,
)

AT = datetime(2025, 4, 1, 14, 0, tzinfo=UTC)


def test_support_manager_cannot_approve_7500_and_vp_is_named(seed_matrix: Matrix) -> None:
    verdict = check_authority(seed_matrix, "support_manager", "service_credit", Decimal(7500))
    assert not verdict.allowed
    assert verdict.lowest_approver == "vp_support"
    assert verdict.reason == (
        "$7,500 is above support_manager's cap of $5,000 for a service credit; "
        "the lowest role that may approve it is vp_support"
    )


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "l2_specialist"),
        ("500", "l2_specialist"),
        ("500.01", "support_manager"),
        ("5000", "support_manager"),
        ("5001", "vp_support"),
        ("25000", "vp_support"),
        ("25000.01", "c_level"),
        ("10000000", "c_level"),
    ],
)
def test_credit_routes_to_lowest_role_allowed(
    seed_matrix: Matrix, amount: str, expected: str
) -> None:
    assert lowest_approver(seed_matrix, "service_credit", Decimal(amount)) == expected


def test_contract_change_needs_the_action_not_a_cap(seed_matrix: Matrix) -> None:
    assert lowest_approver(seed_matrix, "contract_change", Decimal(100000)) == "support_manager"
    verdict = check_authority(seed_matrix, "l2_specialist", "contract_change", Decimal(0))
    assert not verdict.allowed
    assert "no contract_modification authority" in verdict.reason


def test_l3_engineer_grants_no_credit(seed_matrix: Matrix) -> None:
    verdict = check_authority(seed_matrix, "l3_engineer", "service_credit", Decimal(10))
    assert not verdict.allowed and verdict.lowest_approver == "l2_specialist"


def test_unlimited_role_approves_anything(seed_matrix: Matrix) -> None:
    assert check_authority(seed_matrix, "c_level", "discount", Decimal("1e9")).allowed


def test_nobody_allowed_is_said_plainly() -> None:
    from tests.unit.authority.matrices import Role

    matrix = Matrix(roles={"agent": Role(1, Decimal(0), ())})
    verdict = check_authority(matrix, "agent", "service_credit", Decimal(1))
    assert verdict.lowest_approver is None
    assert verdict.reason.endswith("no role in the authority matrix may approve it")


def test_unknown_role_lists_the_known_ones(seed_matrix: Matrix) -> None:
    with pytest.raises(UnknownRole, match="'ceo'; roles are l1_agent, l3_engineer, l2_specialist"):
        check_authority(seed_matrix, "ceo", "service_credit", Decimal(1))


def test_roles_ordered_by_seniority_then_cap(seed_matrix: Matrix) -> None:
    assert ordered_roles(seed_matrix) == [
        "l1_agent",
        "l3_engineer",
        "l2_specialist",
        "support_manager",
        "vp_support",
        "c_level",
    ]


def test_request_is_routed_and_an_over_cap_approval_is_refused(seed_matrix: Matrix) -> None:
    request = request_authority(
        seed_matrix,
        request_id="cr-1",
        ticket="T-1",
        kind="service_credit",
        amount=Decimal(7500),
        at=AT,
        requested_by="dana",
    )
    assert request.routed_to == "vp_support"
    refused = decide(
        seed_matrix, request, approver="sam", approver_role="support_manager", approve=True, at=AT
    )
    assert not refused.approved
    assert refused.reason.startswith("approval refused: $7,500 is above support_manager's cap")
    approved = decide(
        seed_matrix, request, approver="vera", approver_role="vp_support", approve=True, at=AT
    )
    assert approved.approved and approved.request_id == "cr-1"
    declined = decide(
        seed_matrix,
        request,
        approver="vera",
        approver_role="vp_support",
        approve=False,
        at=AT,
        note="goodwill not warranted",
    )
    assert not declined.approved
    assert declined.reason == "declined by vera (vp_support): goodwill not warranted"


def test_records_are_immutable(seed_matrix: Matrix) -> None:
    request = request_authority(
        seed_matrix, request_id="cr-2", ticket="T-1", kind="discount", amount=Decimal(1), at=AT
    )
    with pytest.raises(ValueError):
        request.amount = Decimal(10**6)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7500", Decimal(7500)), ("7,500.50", Decimal("7500.50")), ("$0", Decimal(0))],
)
def test_parse_amount(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("-5", "negative"), ("abc", "not an amount"), ("NaN", "not an amount"), ("", "not an")],
)
def test_parse_amount_rejects_with_field_name(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"--credit: .*{message}"):
        parse_amount(text, field="--credit")


def test_negative_amount_is_refused(seed_matrix: Matrix) -> None:
    with pytest.raises(ValueError, match="negative"):
        check_authority(seed_matrix, "c_level", "service_credit", Decimal(-1))


def test_money_formatting() -> None:
    assert money(Decimal(7500)) == "$7,500"
    assert money(Decimal("7500.5")) == "$7,500.50"
