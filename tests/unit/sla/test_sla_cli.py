"""`escalon sla` on the default policy's calendars, through the real command tree."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from escalon.entrypoints.cli.main import app

runner = CliRunner()


def sla(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["sla", *args])
    return result.exit_code, result.stdout, result.stderr


def test_due_prints_the_instant_with_the_calendar_offset() -> None:
    code, out, _ = sla(
        "due", "--calendar", "amer", "--start", "2024-03-08T13:00:00-05:00", "--target", "8h"
    )
    assert code == 0
    assert out.strip() == "2024-03-11T13:00:00-04:00"


def test_due_counts_days_as_working_days_on_business_calendars() -> None:
    code, out, _ = sla(
        "due", "-c", "amer", "--start", "2024-03-04T09:00:00-05:00", "--target", "2d", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["due"] == "2024-03-05T17:00:00-05:00"
    assert data["target"] == {"seconds": 16 * 3600, "text": "16h"}


def test_due_on_24x7_counts_real_hours_across_dst() -> None:
    code, out, _ = sla(
        "due", "-c", "24x7", "--start", "2024-03-09T12:00:00-05:00", "--target", "1d"
    )
    assert code == 0
    assert out.strip() == "2024-03-10T17:00:00+00:00"


def test_elapsed_prints_seconds_and_compact_form() -> None:
    code, out, _ = sla(
        "elapsed",
        "-c",
        "amer",
        "--start",
        "2024-03-05T14:00:00-05:00",
        "--end",
        "2024-03-06T09:00:00-05:00",
    )
    assert code == 0
    assert out.strip() == "10800 seconds (3h); actual 68400 seconds (19h)"
    code, out, _ = sla(
        "elapsed",
        "-c",
        "amer",
        "--start",
        "2024-03-04T09:00:00-05:00",
        "--end",
        "2024-03-04T10:30:00-05:00",
        "--json",
    )
    assert json.loads(out)["working"] == {"seconds": 5400, "text": "1h30m"}


def test_explain_lists_pauses_holidays_and_the_due_instant() -> None:
    code, out, _ = sla(
        "explain",
        "-c",
        "amer",
        "--start",
        "2024-05-24T16:00:00-04:00",
        "--target",
        "4h",
        "--pause",
        "2024-05-28T09:30:00-04:00/2024-05-28T10:00:00-04:00/pending customer",
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split("  ")[-1] for line in lines[:-2]] == [
        "working hours",
        "off hours",
        "Memorial Day",
        "off hours",
        "working hours",
        "paused: pending customer",
        "working hours",
    ]
    assert lines[-2:] == ["counted: 4h", "due: 2024-05-28T12:30:00-04:00"]


def test_explain_json_up_to_an_end() -> None:
    code, out, _ = sla(
        "explain",
        "-c",
        "emea",
        "--start",
        "2024-03-29T08:00:00+00:00",
        "--end",
        "2024-04-02T10:00:00+01:00",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert "due" not in data and data["counted"]["text"] == "1h"
    assert [r["reason"] for r in data["ledger"] if not r["counted"]].count("Good Friday") == 1


def test_follow_the_sun_calendar_from_the_policy() -> None:
    code, out, _ = sla("due", "-c", "global", "--start", "2024-03-04T12:00:00Z", "--target", "4h")
    assert code == 0 and out.strip() == "2024-03-04T16:00:00+00:00"


def test_bad_input_exits_2_with_one_line_naming_the_field() -> None:
    cases = {
        ("due", "-c", "mars", "--start", "2024-03-04T09:00:00Z", "--target", "4h"): "--calendar",
        ("due", "-c", "amer", "--start", "2024-03-04T09:00:00", "--target", "4h"): "--start",
        ("due", "-c", "amer", "--start", "yesterday", "--target", "4h"): "--start",
        ("due", "-c", "amer", "--start", "2024-03-04T09:00:00Z", "--target", "-4h"): "--target",
        ("due", "-c", "amer", "--start", "2024-03-04T09:00:00Z", "--target", "soon"): "--target",
        (
            "elapsed",
            "-c",
            "amer",
            "--start",
            "2024-03-04T09:00:00Z",
            "--end",
            "2024-03-03T09:00:00Z",
        ): "--end",
        ("explain", "-c", "amer", "--start", "2024-03-04T09:00:00Z"): "--target",
        (
            "explain",
            "-c",
            "amer",
            "--start",
            "2024-03-04T09:00:00Z",
            "--target",
            "1h",
            "--pause",
            "x",
        ): "--pause",
        (
            "due",
            "-c",
            "amer",
            "--start",
            "2024-03-04T09:00:00Z",
            "--target",
            "1h",
            "--policy",
            "/no/such.yaml",
        ): "--policy",
    }
    for args, field in cases.items():
        code, out, err = sla(*args)
        assert code == 2, args
        assert out == ""
        assert len(err.strip().splitlines()) == 1 and field in err and "Traceback" not in err, args


def test_handoffs_on_the_follow_the_sun_calendar() -> None:
    code, out, _ = sla(
        "handoffs",
        "-c",
        "global",
        "--start",
        "2024-03-04T00:00:00Z",
        "--end",
        "2024-03-05T00:00:00Z",
    )
    assert code == 0
    assert out.strip().splitlines() == [
        "2024-03-04T00:00:00+00:00  owner apac",
        "2024-03-04T09:00:00+00:00  apac -> emea",
        "2024-03-04T14:00:00+00:00  emea -> amer",
        "2024-03-04T22:00:00+00:00  amer -> apac",
    ]
    code, _, err = sla(
        "handoffs", "-c", "amer", "--start", "2024-03-04T00:00:00Z", "--end", "2024-03-05T00:00:00Z"
    )
    assert code == 2 and "--calendar" in err
