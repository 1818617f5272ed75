"""Building blocks shared by the policy sections: the frozen base model and small value types."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer, model_validator

Clock = Literal["business", "calendar"]
"""`business` counts only open hours of the ticket's calendar; `calendar` counts every hour."""

Sentiment = Literal["satisfied", "neutral", "frustrated", "upset"]
"""The customer sentiment recorded on the handoff form."""


def _money_json(amount: Decimal) -> int | float:
    # One canonical form per amount (55 and 55.0 are the same money, and the same fingerprint).
    return int(amount) if amount == amount.to_integral_value() else float(amount)


Money = Annotated[Decimal, PlainSerializer(_money_json, when_used="json")]
"""An amount in the policy's currency; written as a plain number."""


class PolicyModel(BaseModel):
    """Every policy section is immutable and rejects unknown keys, so a typo is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Goal(PolicyModel):
    """A dashboard target: the metric should be at least or at most `value` (exactly one)."""

    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Goal:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least or at_most")
        return self

    def met(self, value: float) -> bool:
        """Whether a measured value meets the goal (the dashboard's check mark)."""
        if self.at_least is not None:
            return value >= self.at_least
        assert self.at_most is not None
        return value <= self.at_most


Loc = tuple[str | int, ...]
"""A place in the policy document: keys and list indexes from the root."""


@dataclass(frozen=True, slots=True)
class LintIssue:
    """One semantic problem; `at` says whether the key, the value or a missing entry is meant."""

    loc: Loc
    message: str
    at: Literal["value", "key", "missing"] = "value"
