"""The fast decoding path of replay agrees with the canonical one wherever it answers.

`plain_event` must give exactly the record `EventRecord.from_event(parse_event(raw))` gives
(same values, same types, same field order) or decline; `instant_text_us` must agree with
pydantic's `AwareDatetime`; `parse_json_line` with `json.loads`; `Decision.to_json` with
`json.dumps(to_dict(), sort_keys=True)`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from escalon.domain.engine import Decision, EventRecord, instant_us
from escalon.domain.events import (
    _DATA_TABLES,
    EVENT_TYPES,
    instant_text_us,
    parse_event,
    plain_event,
)
from escalon.services.replay import parse_json_line

_STRINGS = st.sampled_from(["x", "", "L2", "é", "T-1", "P1", "open", "agent"])
_VALID = {
    "str": _STRINGS,
    "bool": st.booleans(),
    "int": st.integers(0, 6),
    "decimal": st.one_of(st.integers(0, 10**6), st.floats(0, 1e9), st.just(0.1)),
    "object": st.sampled_from([{}, {"a": [1, {"b": None}], "c": "d"}]),
}
_INVALID = {
    "str": st.sampled_from([1, True, ["x"], 2.5]),
    "bool": st.sampled_from([0, 1, "true", "yes", 1.0]),
    "int": st.sampled_from([-1, 2.0, True, "3", 10**30]),
    "decimal": st.sampled_from([-1, -0.5, "12.5", True, 2**60, float("inf"), float("nan")]),
    "choice": st.sampled_from(["P9", "", 1, "OPEN", None]),
    "model": st.sampled_from(["acme", 1, [], {"id": 1}, {"segment": "smb"}]),
    "object": st.sampled_from(["x", [1], 3]),
}
_INSTANTS = st.sampled_from(
    [
        "2025-04-01T09:00:00Z",
        "2025-04-01T09:00:00.5+02:00",
        "2025-04-01T09:00:00.123456-05:30",
        "2024-02-29T23:59:59Z",
        "2025-04-01T09:00:00",
        "2025-04-01 09:00:00Z",
        "2025-02-29T09:00:00Z",
        "2025-04-01T09:00Z",
        "1999",
    ]
)


def _value(kind: str, detail: Any, valid: bool) -> st.SearchStrategy[Any]:
    if not valid:
        return _INVALID[kind]
    if kind == "choice":
        return st.sampled_from(sorted(detail))
    if kind == "model":
        return _fields(detail, valid=True)
    if kind == "int":
        low, high = detail
        return st.integers(low or 0, high if high is not None else 50)
    return _VALID[kind]


def _fields(table: Any, *, valid: bool) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, kind, nullable, must, detail in table:
        value = _value(kind, detail, True)
        if nullable:
            value = st.one_of(value, st.none())
        if not valid:
            value = st.one_of(value, _value(kind, detail, False))
        (required if must and valid else optional)[name] = value
    if not valid:
        optional["unexpected"] = st.just(1)
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def _events(draw: st.DrawFn, valid: bool) -> Any:
    kind = draw(st.sampled_from(sorted(_DATA_TABLES)))
    raw: dict[str, Any] = {
        "id": draw(st.sampled_from(["e1", "servicenow:INC1:0:created"])),
        "type": kind,
        "at": draw(_INSTANTS if not valid else st.sampled_from(["2025-04-01T09:00:00Z"])),
        "ticket": "*" if kind == "tick" else "T-1",
        "data": draw(_fields(_DATA_TABLES[kind], valid=valid)),
    }
    if not valid:
        mutation = draw(st.integers(0, 9))
        if mutation == 0:
            del raw["data"]
        elif mutation == 1:
            raw["id"] = draw(st.sampled_from(["", "x" * 201, 5]))
        elif mutation == 2:
            raw["type"] = draw(st.sampled_from(["ticket.exploded", 5, ["tick"]]))
        elif mutation == 3:
            raw["extra"] = True
        elif mutation == 4:
            raw = draw(st.sampled_from([[], "event", None]))
    return raw


def _canonical(raw: Any) -> EventRecord | None:
    try:
        return EventRecord.from_event(parse_event(raw))
    except ValidationError:
        return None


def _agrees(raw: Any) -> bool:
    """True when the plain path answered, after checking it gave the canonical record."""
    plain = plain_event(raw)
    if plain is None:
        return False
    expected = _canonical(raw)
    assert expected is not None, raw
    record = EventRecord(*plain)
    assert record == expected
    # the same types and order too (5 == 5.0, but they print differently)
    assert json.dumps(record.to_dict()) == json.dumps(expected.to_dict())
    return True


@settings(max_examples=400, deadline=None)
@given(_events(valid=True))
def test_plain_events_take_the_fast_path_and_give_the_canonical_record(raw: Any) -> None:
    assert _agrees(raw)


@settings(max_examples=800, deadline=None)
@given(_events(valid=False))
def test_the_fast_path_agrees_or_declines(raw: Any) -> None:
    _agrees(raw)


def test_every_event_type_has_a_fast_path() -> None:
    assert set(_DATA_TABLES) == set(EVENT_TYPES)


def test_a_tick_without_data_is_plain() -> None:
    assert _agrees({"id": "t", "type": "tick", "at": "2025-04-01T09:00:00Z", "ticket": "*"})


@st.composite
def _instant_texts(draw: st.DrawFn) -> str:
    year = draw(st.sampled_from([1899, 1900, 1970, 2024, 2025, 9000, 9001]))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    hour, minute, second = (
        draw(st.integers(0, 25)),
        draw(st.integers(0, 61)),
        draw(st.integers(0, 61)),
    )
    fraction = draw(st.sampled_from(["", ".5", ".123456", ".1234567", "."]))
    zone = draw(
        st.one_of(
            st.sampled_from(["Z", "z", "", "+0200", "+00:00", "-00:00"]),
            st.builds(
                lambda sign, h, m: f"{sign}{h:02d}:{m:02d}",
                st.sampled_from("+-"),
                st.integers(0, 25),
                st.integers(0, 61),
            ),
        )
    )
    separator = draw(st.sampled_from(["T", "T", "T", " ", "t"]))
    return (
        f"{year:04d}-{month:02d}-{day:02d}{separator}{hour:02d}:{minute:02d}:{second:02d}"
        f"{fraction}{zone}"
    )


@settings(max_examples=1500, deadline=None)
@given(_instant_texts())
def test_instants_agree_with_pydantic(text: str) -> None:
    fast = instant_text_us(text)
    try:
        event = parse_event({"id": "e", "type": "tick", "at": text, "ticket": "*"})
    except ValidationError:
        assert fast is None
        return
    assert fast is None or fast == instant_us(event.at)


def test_usual_instants_are_read_directly() -> None:
    assert instant_text_us("2025-04-01T09:00:00.25+02:00") == 1743490800250000
    assert instant_text_us("2025-04-01T09:00:00٠Z") is None  # a non-ASCII digit


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(_JSON, st.booleans())
def test_json_lines_parse_as_the_standard_parser_does(value: Any, ascii_only: bool) -> None:
    line = json.dumps(value, ensure_ascii=ascii_only)
    assert repr(parse_json_line(line)) == repr(json.loads(line))


@pytest.mark.parametrize(
    "line",
    ['{"a": "\\ud800"}', '{"a": NaN, "b": -Infinity}', '{"a": 1, "a": 2}', '{"a": 1e400}', "12"],
)
def test_json_edge_cases_parse_as_the_standard_parser_does(line: str) -> None:
    assert repr(parse_json_line(line)) == repr(json.loads(line))


@pytest.mark.parametrize("line", ['{"a": 1,}', "{'a': 1}", '{"a": "x\x01"}', '{"a": 1} x'])
def test_bad_json_is_refused_with_the_standard_message(line: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(line)
    with pytest.raises(json.JSONDecodeError) as got:
        parse_json_line(line)
    assert (got.value.msg, got.value.pos) == (expected.value.msg, expected.value.pos)


_FACTS = st.dictionaries(
    st.text(max_size=8),
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.lists(st.text(max_size=5), max_size=3),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(0, 2**52), _FACTS)
def test_a_decision_prints_as_its_sorted_json(text: str, at: int, facts: dict[str, Any]) -> None:
    decision = Decision("d_1", "escalate", text, at, "path:L1->L2:time", text, "2025@abc", facts)
    assert decision.to_json() == json.dumps(decision.to_dict(), sort_keys=True)
