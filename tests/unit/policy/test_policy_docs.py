"""docs/policy.md documents every field of every model a policy is made of."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from escalon.domain.policy import Policy

DOC = Path(__file__).resolve().parents[3] / "docs" / "policy.md"


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for argument in typing.get_args(annotation):
        found.extend(_models_in(argument))
    return found


def _all_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    pending = [root]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            pending.extend(_models_in(info.annotation))
    return seen


def _sections() -> list[tuple[str, str]]:
    """(heading, body) for each `##`/`###` section of the document."""
    parts = re.split(r"^(#{2,3} .*)$", DOC.read_text(), flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def test_the_walk_reaches_nested_models() -> None:
    names = {model.__name__ for model in _all_models(Policy)}
    assert {"Tier", "TimeCriterion", "CalendarSpec", "HolidayDate", "Route", "Goal"} <= names


def test_every_model_has_a_section_listing_all_its_fields() -> None:
    sections = _sections()
    missing: list[str] = []
    for model in _all_models(Policy):
        pattern = re.compile(rf"`{model.__name__}`")
        text = "".join(heading + body for heading, body in sections if pattern.search(heading))
        if not text:
            missing.append(f"{model.__name__}: no section names it in its heading")
            continue
        missing.extend(
            f"{model.__name__}.{field}" for field in model.model_fields if f"`{field}`" not in text
        )
    assert missing == []
