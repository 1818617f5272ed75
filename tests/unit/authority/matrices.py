"""Authority matrices for the tests: the seed's, and building blocks for generated ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Role:
    seniority: int
    credit_cap: Decimal | None
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Matrix:
    roles: dict[str, Role] = field(default_factory=dict)


COMMERCIAL = ("service_credit", "discount", "contract_modification")

SEED = Matrix(
    roles={
        "l1_agent": Role(1, Decimal(0), ("basic_troubleshooting",)),
        "l2_specialist": Role(2, Decimal(500), ("service_credit", "discount")),
        "l3_engineer": Role(2, Decimal(0), ("hotfix",)),
        "support_manager": Role(3, Decimal(5000), COMMERCIAL),
        "vp_support": Role(4, Decimal(25000), COMMERCIAL),
        "c_level": Role(5, None, COMMERCIAL),
    }
)
