from __future__ import annotations

import pytest
from tests.unit.authority.matrices import SEED, Matrix


@pytest.fixture
def seed_matrix() -> Matrix:
    """The seed's ESCALATION AUTHORITY with escalon's chosen L2 cap of $500."""
    return SEED
