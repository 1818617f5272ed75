"""Every semantic lint rule, each with a fixture that breaks it, checked at its exact FILE:LINE."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalon.adapters.policy_files import check_policy, default_policy_path, parse_policy
from escalon.adapters.yamlsource import SourceError
from escalon.entrypoints.cli.main import app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policy"

# fixture -> every issue it must produce, as "LINE:COLUMN: field.path: message"
CASES = {
    "unknown_tier": [
        "6:3: tiers.L3: tier L3 cannot be reached: no escalation path leads to it from L1",
        "14:14: paths[1].to_tier: unknown tier 'L5' (known: L1, L2, L3)",
    ],
    "unknown_calendar": [
        "57:45: clocks.by_priority.P1: unknown calendar 'allways' (known: always, office)",
    ],
    "cycle": ["19:14: paths[2].to_tier: escalation paths form a cycle: L2 -> L3 -> L2"],
    "unreachable": [
        "6:3: tiers.L3: tier L3 cannot be reached: no escalation path leads to it from L1",
    ],
    "ack_longer": [
        "6:55: tiers.L3.acknowledgement: acknowledgement target 9h is longer than the P1 L3 "
        "resolution target 8h",
    ],
    "overlap": [
        "54:28: calendars.office.hours.mon[1]: window 11:30-17:00 overlaps 09:00-12:00 on the "
        "same day",
    ],
    "authority": [
        "22:57: authority.roles.manager.credit_cap: credit cap 50 is below the 100 of the less "
        "senior role specialist (seniority 2 < 3)",
    ],
    "unknown_segment": [
        "29:57: management.triggers.big_customer_waiting.segments[0]: 'enterprize' is not a "
        "defined segment, so this never matches (known: enterprise)",
    ],
    "zero_window": [
        "31:70: management.triggers.repeats.window: a zero window means no escalation is ever "
        "repeated",
    ],
    "empty_filter": [
        "30:45: management.triggers.churn.priorities: an empty list matches no priority, so this "
        "never fires",
    ],
    "time_criterion": [
        "11:33: paths[0].criteria[0].threshold: threshold 3d is longer than the L1 resolution "
        "target of every priority it covers (P1 2h, P2 4h, P3 1d, P4 2d): it can never fire "
        "before the target is breached",
    ],
    "unknown_role": [
        "27:20: management.chain[1]: unknown role 'vp' (known: agent, director, manager, "
        "specialist)",
    ],
    "handoff_field": [
        "17:22: paths[1].handoff_fields[0]: unknown handoff form field 'issue_summary.impakt'",
    ],
    "chain_delays": [
        "49:33: handoff.acceptance_chain[2].after: step waits 10m, less than the 15m before it",
    ],
}


def test_every_fixture_is_checked() -> None:
    on_disk = {path.stem.removeprefix("lint_") for path in FIXTURES.glob("lint_*.yaml")}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_lint_rule_reports_file_line_column(name: str) -> None:
    path = FIXTURES / f"lint_{name}.yaml"
    policy, issues = check_policy(path)
    assert policy is None
    assert [str(issue) for issue in issues] == [f"{path}:{line}" for line in CASES[name]]


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_validate_exits_2_with_the_same_lines(name: str) -> None:
    path = FIXTURES / f"lint_{name}.yaml"
    result = CliRunner().invoke(app, ["policy", "validate", str(path)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[: len(CASES[name])] == [f"{path}:{line}" for line in CASES[name]]
    assert "Traceback" not in result.output


def test_the_base_fixture_and_the_default_policy_are_clean() -> None:
    assert check_policy(FIXTURES / "minimal.yaml")[1] == []
    assert check_policy(default_policy_path())[1] == []


def _default_with(old: str, new: str) -> str:
    text = default_policy_path().read_text()
    assert text.count(old) == 1
    return text.replace(old, new)


def _lint_messages(text: str) -> list[str]:
    with pytest.raises(SourceError) as caught:
        parse_policy(text, file="p.yaml")
    return [f"{issue.field_path}: {issue.message}" for issue in caught.value.issues]


def test_impact_criterion_without_any_condition_never_fires() -> None:
    text = _default_with("{type: impact, min_customers: 3, security: true}", "{type: impact}")
    assert _lint_messages(text) == [
        "paths[0].criteria[3]: impact criterion sets no condition, so it never fires"
    ]


def test_unknown_region_in_follow_the_sun() -> None:
    text = _default_with("regions: [apac, emea, amer]", "regions: [apac, emea, latam]")
    assert _lint_messages(text) == [
        "follow_the_sun.regions[2]: unknown region 'latam' (known: amer, apac, emea)"
    ]


def test_missing_resolution_target_points_at_the_priority() -> None:
    text = _default_with("P4: {L1: 2d, L2: 3d, L3: 5d, L4: 10d}", "P4: {L1: 2d, L2: 3d, L3: 5d}")
    with pytest.raises(SourceError) as caught:
        parse_policy(text, file="p.yaml")
    (issue,) = caught.value.issues
    assert issue.field_path == "response.resolution.P4.L4"
    assert issue.message == "no P4 resolution target for tier L4"
    assert text.splitlines()[issue.line - 1].strip().startswith("P4:")


def test_unlimited_authority_below_a_capped_senior_role_is_flagged() -> None:
    text = _default_with("credit_cap: 25000 ", "credit_cap: null ")
    text = text.replace("credit_cap: null             # unlimited authority", "credit_cap: 100000")
    assert _lint_messages(text) == [
        "authority.roles.c_level.credit_cap: credit cap 100,000 is below the unlimited of the "
        "less senior role vp_support (seniority 4 < 5)"
    ]
