"""UTCDateTime's one-step SQLite conversion stores exactly the text of the general two steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from escalon.adapters.db.types import UTCDateTime

SQLITE = sqlite.dialect()
POSTGRES = postgresql.psycopg.dialect()  # type: ignore[attr-defined]

_OFFSETS = st.builds(
    timezone,
    st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23)),
)
ZONES = st.just(UTC) | _OFFSETS | st.timezones()


def _processor(dialect: Any) -> Any:
    return UTCDateTime().dialect_impl(dialect).bind_processor(dialect)


def _reference(value: datetime) -> Any:
    """The conversion before: UTC, naive, then SQLAlchemy's SQLite datetime processor."""
    naive = UTCDateTime().process_bind_param(value, SQLITE)
    return sqlite.DATETIME().bind_processor(SQLITE)(naive)  # type: ignore[misc]


def _outcome(convert: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", convert(value)
    except Exception as error:  # the same refusal counts as the same outcome
        return "error", type(error)


@settings(max_examples=2_000)
@given(st.datetimes(timezones=ZONES))
def test_same_text_as_the_two_step_conversion(value: datetime) -> None:
    assert _outcome(_processor(SQLITE), value) == _outcome(_reference, value)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_stored_text_sorts_in_time_order(value: datetime) -> None:
    convert = _processor(SQLITE)
    earlier, later = value.replace(tzinfo=UTC), value.replace(tzinfo=UTC) + timedelta(seconds=1)
    assert convert(earlier) < convert(later)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 2, 12, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 3, 2, 12, 30, tzinfo=timezone(timedelta(hours=-5))),  # no microseconds
        datetime(999, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_examples(value: datetime) -> None:
    assert _processor(SQLITE)(value) == _reference(value)


def test_none_and_naive_values_take_the_general_way() -> None:
    assert _processor(SQLITE)(None) is None
    with pytest.raises(ValueError, match="aware"):
        _processor(SQLITE)(datetime(2026, 1, 1))


def test_postgresql_binds_the_aware_utc_instant() -> None:
    value = datetime(2026, 3, 2, 7, 30, tzinfo=timezone(timedelta(hours=-5)))
    bound = _processor(POSTGRES)
    converted = value if bound is None else bound(value)
    assert converted == value and converted.tzinfo is UTC
