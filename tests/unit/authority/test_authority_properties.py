"""Whatever the matrix, role and amount: no approval above a role's cap is ever accepted."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from tests.unit.authority.matrices import COMMERCIAL, SEED, Matrix, Role

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.authority import (
    REQUEST_KINDS,
    RequestKind,
    check_authority,
    decide,
    lowest_approver,
    ordered_roles,
    request_authority,
)

AT = datetime(2025, 4, 1, tzinfo=UTC)
amounts = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False)
kinds = st.sampled_from(REQUEST_KINDS)
roles = st.builds(
    Role,
    seniority=st.integers(1, 6),
    credit_cap=st.none() | amounts,
    actions=st.lists(st.sampled_from(COMMERCIAL), unique=True).map(tuple),
)
matrices = (
    st.dictionaries(st.sampled_from("abcdefg"), roles, min_size=1).map(Matrix)
    | st.just(SEED)
    | st.just(load_default_policy().authority)
)


@given(matrix=matrices, data=st.data(), kind=kinds, amount=amounts, approve=st.booleans())
def test_no_approval_above_the_approvers_cap(
    matrix: Matrix, data: st.DataObject, kind: RequestKind, amount: Decimal, approve: bool
) -> None:
    role = data.draw(st.sampled_from(sorted(matrix.roles)))
    request = request_authority(matrix, request_id="r", ticket="T", kind=kind, amount=amount, at=AT)
    decision = decide(matrix, request, approver="x", approver_role=role, approve=approve, at=AT)
    spec = matrix.roles[role]
    if decision.approved:
        assert approve
        assert {"service_credit": "service_credit", "discount": "discount"}.get(
            kind, "contract_modification"
        ) in spec.actions
        if kind != "contract_change":
            assert spec.credit_cap is None or amount <= spec.credit_cap


@given(matrix=matrices, kind=kinds, amount=amounts)
def test_routing_picks_an_allowed_role_and_none_less_senior_is_allowed(
    matrix: Matrix, kind: RequestKind, amount: Decimal
) -> None:
    chosen = lowest_approver(matrix, kind, amount)
    order = ordered_roles(matrix)
    allowed = [r for r in order if check_authority(matrix, r, kind, amount).allowed]
    if chosen is None:
        assert allowed == []
    else:
        assert check_authority(matrix, chosen, kind, amount).allowed
        assert allowed[0] == chosen
