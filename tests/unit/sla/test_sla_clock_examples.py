"""Hand-checked SLA clock cases: DOMAIN.md's worked examples 5-7 and the clock rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from escalon.domain.calendar import DEFAULT_CALENDARS, Calendar, CalendarSpec, build_calendar
from escalon.domain.calendar import build_calendars as build
from escalon.domain.sla import (
    ClockAlert,
    ClockKind,
    ClockOperation,
    ClockState,
    SlaClock,
    apply_operations,
)

NY = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)  # Mon 2024-03-04 is a plain working Monday


@pytest.fixture(scope="module")
def ny() -> Calendar:
    spec = CalendarSpec.model_validate(
        {
            "timezone": "America/New_York",
            "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        }
    )
    return build_calendar("ny", spec)


def resolution(start: datetime, target: timedelta = 4 * HOUR) -> SlaClock:
    return SlaClock.start("resolution", ClockKind.RESOLUTION, start, target, "ny")


def test_a_pause_removes_business_hours_from_the_count_not_wall_hours(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9)).pause(at(2024, 3, 4, 10), "pending customer")
    assert clock.due(ny) is None
    assert clock.status(at(2024, 3, 5, 9), ny).state is ClockState.PAUSED
    clock = clock.resume(at(2024, 3, 5, 10))
    assert clock.due(ny) == at(2024, 3, 5, 13)
    assert clock.elapsed(at(2024, 3, 5, 10), ny) == HOUR


def test_moving_between_paused_states_neither_resets_nor_double_counts(ny: Calendar) -> None:
    clock = (
        resolution(at(2024, 3, 4, 9))
        .pause(at(2024, 3, 4, 10), "pending customer")
        .pause(at(2024, 3, 4, 14), "on hold")
        .pause(at(2024, 3, 4, 15), "on hold")
        .resume(at(2024, 3, 5, 10))
    )
    assert clock.due(ny) == at(2024, 3, 5, 13)
    assert [p.reason for p in clock.pauses] == ["pending customer", "on hold"]
    reasons = [(p.reason, p.start.hour, p.end.hour) for p in clock.ledger(at(2024, 3, 5, 13), ny)]
    assert reasons == [
        ("working hours", 9, 10),
        ("paused: pending customer", 10, 14),
        ("paused: on hold", 14, 10),
        ("working hours", 10, 13),
    ]


def test_retroactive_upgrade_that_is_already_breached_gives_one_breach(ny: Calendar) -> None:
    # P3 (8 h) opened Mon 09:00, raised to P1 (1 h) at 12:00: due 10:00, already past.
    clock = resolution(at(2024, 3, 4, 9), 8 * HOUR)
    clock, alerts = clock.alerts(at(2024, 3, 4, 12), ny)
    assert alerts == ()
    clock = clock.retarget(HOUR, at(2024, 3, 4, 12))
    assert clock.started_at == at(2024, 3, 4, 9)
    assert clock.due(ny) == at(2024, 3, 4, 12)  # decided at the re-target, not in the past
    clock, alerts = clock.alerts(at(2024, 3, 4, 12), ny)
    assert alerts == (ClockAlert("resolution", "breach", at(2024, 3, 4, 12), 1),)
    clock, again = clock.alerts(at(2024, 3, 4, 16), ny)
    assert again == ()
    assert clock.status(at(2024, 3, 4, 16), ny).state is ClockState.BREACHED


def test_non_retroactive_retarget_counts_from_the_change(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9), 8 * HOUR).retarget(HOUR, at(2024, 3, 4, 12), False)
    assert clock.started_at == at(2024, 3, 4, 12)
    assert clock.due(ny) == at(2024, 3, 4, 13)
    assert clock.cycle == 2


def test_warnings_fire_once_each_at_their_fractions_then_one_breach(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9))
    assert clock.upcoming(at(2024, 3, 4, 9), ny) == [
        (at(2024, 3, 4, 11), "warning 50%"),
        (at(2024, 3, 4, 12), "warning 75%"),
        (at(2024, 3, 4, 12, 36), "warning 90%"),
        (at(2024, 3, 4, 13), "breach"),
    ]
    seen = []
    assert clock.next_alert(ny) == (at(2024, 3, 4, 11), "warning 50%")
    for instant, _ in clock.upcoming(at(2024, 3, 4, 9), ny):
        clock, alerts = clock.alerts(instant, ny)
        seen += [a.label for a in alerts]
        clock, repeat = clock.alerts(instant, ny)
        assert repeat == ()
    assert seen == ["warning 50%", "warning 75%", "warning 90%", "breach"]
    assert clock.next_alert(ny) is None
    assert clock.upcoming(at(2024, 3, 4, 14), ny) == []


def test_no_warning_or_breach_while_paused(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9)).pause(at(2024, 3, 4, 10, 30), "pending customer")
    # Past the would-be due instant, still paused: nothing fires.
    clock, alerts = clock.alerts(at(2024, 3, 6, 9), ny)
    assert alerts == ()
    assert clock.status(at(2024, 3, 6, 9), ny).state is ClockState.PAUSED
    # Shrinking the target while paused breaches only once counting resumes.
    clock = clock.retarget(HOUR, at(2024, 3, 6, 9))
    assert clock.upcoming(at(2024, 3, 6, 9), ny) == []
    clock = clock.resume(at(2024, 3, 6, 11))
    clock, alerts = clock.alerts(at(2024, 3, 6, 11), ny)
    assert [(a.label, a.at) for a in alerts] == [("breach", at(2024, 3, 6, 11))]


def test_stop_at_the_due_instant_is_met_one_second_later_is_breached(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9))
    assert clock.stop(at(2024, 3, 4, 13)).status(at(2024, 3, 5), ny).state is ClockState.MET
    late = clock.stop(at(2024, 3, 4, 13, 0, 1))
    assert late.status(at(2024, 3, 5), ny).state is ClockState.BREACHED
    assert late.stop(at(2024, 3, 4, 14)) == late
    assert clock.status(at(2024, 3, 4, 13), ny).state is ClockState.BREACHED
    assert clock.status(at(2024, 3, 4, 12), ny).state is ClockState.RUNNING


def test_stopping_while_paused_keeps_the_hold_time(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9)).pause(at(2024, 3, 4, 10), "on hold")
    done = clock.stop(at(2024, 3, 5, 16))
    status = done.status(at(2024, 3, 6), ny)
    assert status.state is ClockState.MET
    assert status.elapsed == HOUR and status.remaining == 3 * HOUR


def test_a_breach_before_the_stop_is_still_announced_once(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9)).stop(at(2024, 3, 4, 15))
    assert clock.upcoming(at(2024, 3, 4, 15), ny)[-1] == (at(2024, 3, 4, 13), "breach")
    clock, alerts = clock.alerts(at(2024, 3, 4, 15), ny)
    assert [a.label for a in alerts] == ["breach"]
    assert clock.alerts(at(2024, 3, 5), ny)[1] == ()
    met = resolution(at(2024, 3, 4, 9)).stop(at(2024, 3, 4, 13))
    assert [label for _, label in met.upcoming(at(2024, 3, 4, 13), ny)] == [
        "warning 50%",
        "warning 75%",
        "warning 90%",
    ]


def test_cancelled_clocks_are_neither_met_nor_breached(ny: Calendar) -> None:
    clock = resolution(at(2024, 3, 4, 9)).cancel(at(2024, 3, 4, 20))
    assert clock.status(at(2024, 3, 5), ny).state is ClockState.CANCELLED
    assert clock.upcoming(at(2024, 3, 5), ny) == []


def test_update_cadence_is_due_a_fixed_time_after_the_last_update(ny: Calendar) -> None:
    cadence = SlaClock.start("update", ClockKind.CUSTOMER_UPDATE, at(2024, 3, 4, 9), 2 * HOUR, "ny")
    cadence = cadence.reset(at(2024, 3, 4, 10, 30))
    assert cadence.cycle == 2 and cadence.due(ny) == at(2024, 3, 4, 12, 30)
    cadence = cadence.pause(at(2024, 3, 4, 11), "pending customer").reset(at(2024, 3, 4, 12))
    assert cadence.paused and cadence.due(ny) is None


def test_operations_apply_stop_reset_cancel_then_pause_resume(ny: Calendar) -> None:
    t = at(2024, 3, 4, 11)
    clocks = {
        "ack:L1": SlaClock.start(
            "ack:L1", ClockKind.ACKNOWLEDGEMENT, at(2024, 3, 4, 9), HOUR, "ny"
        ),
        "resolution": resolution(at(2024, 3, 4, 9)),
    }
    ops = [
        ClockOperation("pause", "resolution", t, reason="pending customer"),
        ClockOperation(
            "start", "ack:L2", t, kind=ClockKind.ACKNOWLEDGEMENT, target=HOUR, calendar="ny"
        ),
        ClockOperation("cancel", "ack:L1", t),
        ClockOperation("stop", "resolution", t),
        ClockOperation("resume", "missing", t),
    ]
    after = apply_operations(clocks, ops)
    assert after["resolution"].stopped_at == t and after["resolution"].pauses == ()
    assert after["ack:L1"].cancelled_at == t
    assert after["ack:L2"].due(ny) == at(2024, 3, 4, 12)
    assert set(after) == {"ack:L1", "ack:L2", "resolution"}
    assert clocks["resolution"].stopped_at is None  # inputs are untouched


def test_tier_transfer_continues_resolution_and_starts_fresh_acknowledgement(ny: Calendar) -> None:
    t = at(2024, 3, 4, 12)
    clocks = {"resolution": resolution(at(2024, 3, 4, 9), 8 * HOUR)}
    transfer = [
        ClockOperation(
            "start", "ack:L2", t, kind=ClockKind.ACKNOWLEDGEMENT, target=HOUR / 4, calendar="ny"
        ),
        ClockOperation(
            "start", "assessment:L2", t, kind=ClockKind.ASSESSMENT, target=HOUR, calendar="ny"
        ),
        ClockOperation(
            "start", "resolution", t, kind=ClockKind.RESOLUTION, target=HOUR, calendar="ny"
        ),
    ]
    after = apply_operations(clocks, transfer)
    assert after["resolution"] == clocks["resolution"]
    assert after["ack:L2"].due(ny) == at(2024, 3, 4, 12, 15)
    assert after["assessment:L2"].due(ny) == at(2024, 3, 4, 13)


def test_out_of_order_and_naive_instants_are_refused() -> None:
    clock = resolution(at(2024, 3, 4, 9)).pause(at(2024, 3, 4, 10), "on hold")
    with pytest.raises(ValueError, match="before its last change"):
        clock.resume(at(2024, 3, 4, 9, 30))
    with pytest.raises(ValueError, match="no time zone"):
        resolution(datetime(2024, 3, 4, 9))


def test_clocks_round_trip_through_json(ny: Calendar) -> None:
    import json

    clock = (
        resolution(at(2024, 3, 4, 9), timedelta(hours=4, microseconds=7))
        .pause(at(2024, 3, 4, 10), "pending customer")
        .resume(at(2024, 3, 5, 10))
        .retarget(2 * HOUR, at(2024, 3, 5, 11))
        .pause(at(2024, 3, 5, 11, 30), "on hold")
    )
    clock, _ = clock.alerts(at(2024, 3, 5, 11), ny)
    back = SlaClock.from_dict(json.loads(json.dumps(clock.to_dict())))
    assert back == clock
    assert back.status(at(2024, 3, 6), ny) == clock.status(at(2024, 3, 6), ny)


def test_twenty_four_seven_and_default_calendars_work_with_clocks() -> None:
    calendars = build(DEFAULT_CALENDARS)
    clock = SlaClock.start("p1", ClockKind.RESOLUTION, at(2024, 3, 9, 12), 24 * HOUR, "24x7")
    assert clock.due(calendars["24x7"]).astimezone(NY).isoformat() == "2024-03-10T13:00:00-04:00"
    assert clock.due(calendars["24x7"]) == datetime(2024, 3, 10, 17, tzinfo=UTC)


def test_the_repeated_hour_is_ordered_by_real_time_not_wall_clock() -> None:
    always = build_calendar("ny24", CalendarSpec(timezone="America/New_York", always_open=True))
    clock = SlaClock.start(
        "p1", ClockKind.RESOLUTION, at(2024, 11, 3), 90 * timedelta(minutes=1), "ny24"
    )
    due = clock.due(always)
    assert due is not None and due.isoformat() == "2024-11-03T01:30:00-04:00"
    later_but_earlier_on_the_wall = datetime(2024, 11, 3, 1, 15, fold=1, tzinfo=NY)  # 06:15Z
    assert clock.status(later_but_earlier_on_the_wall, always).state is ClockState.BREACHED
    stopped = clock.stop(datetime(2024, 11, 3, 1, 45, tzinfo=NY))  # first 01:45, 05:45Z
    assert stopped.status(later_but_earlier_on_the_wall, always).state is ClockState.BREACHED
    with pytest.raises(ValueError, match="before its last change"):
        clock.pause(datetime(2024, 11, 3, 1, 45, tzinfo=NY), "x").resume(
            later_but_earlier_on_the_wall - HOUR
        )
