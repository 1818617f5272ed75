"""The JSON column codec (escalon.adapters.db.connection): the stdlib's values, faster."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalon.adapters.db.connection import dumps_json, loads_json

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: beyond 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0 here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@settings(max_examples=500)
@given(VALUES)
def test_the_text_means_what_the_stdlib_text_meant(value: Any) -> None:
    assert _same(json.loads(dumps_json(value)), json.loads(json.dumps(value)))


@settings(max_examples=500)
@given(VALUES)
def test_stdlib_text_and_own_text_read_back_alike(value: Any) -> None:
    expected = json.loads(json.dumps(value))
    assert _same(loads_json(json.dumps(value)), expected)
    assert _same(loads_json(dumps_json(value)), expected)
    assert _same(loads_json(dumps_json(value).encode()), expected)  # psycopg hands bytes


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key", False: "bool key", None: "none key", 1.5: "float key"},
        2**70,
        [-(2**64)],
        "lone \ud800 surrogate",
    ],
)
def test_what_orjson_refuses_is_written_as_before(value: Any) -> None:
    assert dumps_json(value) == json.dumps(value)
    assert _same(loads_json(dumps_json(value)), json.loads(json.dumps(value)))


@dataclass
class _Point:
    x: int


@pytest.mark.parametrize("value", [datetime(2026, 1, 1, tzinfo=UTC), _Point(1), {"a": {1, 2}}])
def test_what_the_stdlib_refuses_is_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        dumps_json(value)


def test_non_ascii_is_kept_as_utf8() -> None:
    assert dumps_json({"subject": "Ünïcode ✓"}) == '{"subject":"Ünïcode ✓"}'


def test_stdlib_non_finite_numbers_still_read() -> None:
    read = loads_json('{"a": NaN, "b": Infinity, "c": -Infinity}')
    assert math.isnan(read["a"]) and read["b"] == math.inf and read["c"] == -math.inf


def test_non_finite_numbers_are_written_as_null() -> None:
    # as pydantic's JSON mode writes them (event bodies); PostgreSQL refused the stdlib's NaN
    assert dumps_json([math.nan, math.inf]) == "[null,null]"


def test_malformed_text_is_refused() -> None:
    with pytest.raises(ValueError):
        loads_json('{"a": 1')
