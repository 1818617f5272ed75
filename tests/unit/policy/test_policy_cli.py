"""`escalon policy validate | show | diff` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalon.adapters.policy_files import default_policy_path, load_default_policy
from escalon.entrypoints.cli.main import app

DEFAULT = default_policy_path()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["policy", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    target = tmp_path / name
    target.write_text(text)
    return target


def test_validate_default_prints_a_one_screen_summary() -> None:
    code, output = _run("validate", str(DEFAULT))
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == f"{DEFAULT}: valid"
    assert len(lines) <= 24
    assert f"version 2025 ({load_default_policy().ref})" in lines[1]
    assert "acknowledge L1 0m, L2 15m, L3 30m, L4 1h" in output
    assert "Support Manager $5K, VP Support $25K, C-Level unlimited" in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: '1'\ntiers: [\n", ":3:1: <yaml>: YAML syntax error:"),
        ("", ":1:1: <root>: the file is empty"),
        ("# nothing but a comment\n", ":1:1: <root>: the file is empty"),
    ],
    ids=["malformed", "empty", "comment-only"],
)
def test_unreadable_yaml_exits_2_with_one_clear_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    target = _write(tmp_path, text)
    code, output = _run("validate", str(target))
    assert code == 2
    assert output.splitlines()[0].startswith(f"{target}{expected}")
    assert output.splitlines()[-1] == "1 problem found"


def test_unknown_key_exits_2_naming_key_and_line(tmp_path: Path) -> None:
    text = DEFAULT.read_text().replace("    order: 2\n", "    order: 2\n    acknowledgment: 5m\n")
    target = _write(tmp_path, text)
    line = text.splitlines().index("    acknowledgment: 5m") + 1
    code, output = _run("validate", str(target))
    assert code == 2
    assert output.splitlines() == [
        f"{target}:{line}:5: tiers.L2.acknowledgment: unknown key 'acknowledgment'",
        "1 problem found",
    ]


def test_wrong_type_exits_2_naming_field_and_value_position(tmp_path: Path) -> None:
    text = DEFAULT.read_text().replace("  min_customers: 3\n", "  min_customers: three\n")
    target = _write(tmp_path, text)
    line = text.splitlines().index("  min_customers: three") + 1
    code, output = _run("validate", str(target))
    assert code == 2
    assert output.splitlines()[0] == (
        f"{target}:{line}:18: major_incident.min_customers: Input should be a valid integer, "
        "unable to parse string as an integer"
    )


def test_bad_duration_and_bad_criterion_type_are_both_reported(tmp_path: Path) -> None:
    text = (
        DEFAULT.read_text()
        .replace("acknowledgement: 15m", "acknowledgement: soon")
        .replace("{type: complexity}", "{type: complicated}")
    )
    target = _write(tmp_path, text)
    code, output = _run("validate", str(target))
    assert code == 2
    lines = output.splitlines()
    assert any(": tiers.L2.acknowledgement: invalid duration 'soon'" in line for line in lines)
    assert any(": paths[0].criteria[1]: Input tag 'complicated'" in line for line in lines)
    assert lines[-1] == "2 problems found"


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, output = _run("validate", str(tmp_path / "absent.yaml"))
    assert code == 2
    assert ":1:1: <file>: cannot read: No such file or directory" in output


def test_show_text_follows_the_seed_layout() -> None:
    code, output = _run("show")
    assert code == 0
    for line in [
        "ESCALATION POLICY — 2025",
        "TECHNICAL ESCALATION PATH:",
        "    L2 acknowledges within 15 minutes; initial assessment within 1 hour",
        "    L3 acknowledges within 30 minutes; initial assessment within 4 hours",
        "    L4 acknowledged within 1 hour (vendor dependent)",
        "MANAGEMENT ESCALATION TRIGGERS:",
        "  Enterprise customer with P1/P2 issue >4 hours → Support Manager",
        "  Revenue impact >$50K at risk → VP Support",
        "  Same issue escalated 3+ times by same customer (within 90 days) → Support Manager",
        "ESCALATION RESPONSE SLA:",
        "  Management acknowledgment: 30 minutes",
        "  Executive notification: 1 hour (if enterprise/revenue impact)",
        "  Initial customer contact: 2 hours (management escalation)",
        "  Resolution plan communication: 4 hours",
        "  Daily status updates until resolved",
        "ESCALATION AUTHORITY:",
        "ESCALATION PREVENTION:",
        "  Top 10 escalation drivers identification and remediation",
    ]:
        assert line in output.splitlines(), line
    assert output.index("TECHNICAL ESCALATION PATH") < output.index("MANAGEMENT ESCALATION")
    assert output.index("ESCALATION RESPONSE SLA") < output.index("ESCALATION AUTHORITY")
    assert "Time-based (>2 hours unresolved" in output
    assert "Time-based (>8 hours unresolved" in output


def test_show_reflects_the_file_not_the_default(tmp_path: Path) -> None:
    text = DEFAULT.read_text().replace(
        "acknowledgement: 30m           # management acknowledgment: 30 minutes",
        "acknowledgement: 45m",
    )
    target = _write(tmp_path, text)
    code, output = _run("show", str(target))
    assert code == 0
    assert "  Management acknowledgment: 45 minutes" in output.splitlines()


def test_show_json_is_the_policy_with_its_ref() -> None:
    code, output = _run("show", "--format", "json")
    assert code == 0
    document = json.loads(output)
    policy = load_default_policy()
    assert document["ref"] == policy.ref
    assert document["fingerprint"] == policy.fingerprint
    assert document["tiers"]["L2"]["acknowledgement"] == "15m"
    assert document["authority"]["roles"]["vp_support"]["credit_cap"] == 25000
    assert document["authority"]["roles"]["c_level"]["credit_cap"] is None


def test_show_of_an_invalid_file_exits_2(tmp_path: Path) -> None:
    code, output = _run("show", str(_write(tmp_path, "version: '1'\n")))
    assert code == 2
    assert "tiers: required field is missing" in output


def test_diff_lists_changes_in_words(tmp_path: Path) -> None:
    text = (
        DEFAULT.read_text()
        .replace("acknowledgement: 15m", "acknowledgement: 20m")
        .replace("credit_cap: 25000", "credit_cap: 30000")
        .replace("  smb: {title: Small business}\n", "")
    )
    code, output = _run("diff", str(DEFAULT), str(_write(tmp_path, text)))
    assert code == 0
    lines = output.splitlines()
    assert lines[1:] == [
        "  L2 acknowledgement: 15m -> 20m",
        "  VP Support credit cap: 25000 -> 30000",
        "  removed segment smb",
    ]
    assert lines[0].endswith(": 3 changes")


def test_diff_ignores_comments_and_layout(tmp_path: Path) -> None:
    text = "# reformatted copy\n" + DEFAULT.read_text().replace("  # chosen:", "  # picked:")
    code, output = _run("diff", str(DEFAULT), str(_write(tmp_path, text)))
    assert code == 0
    assert output.startswith("No changes")


def test_diff_names_paths_and_criteria(tmp_path: Path) -> None:
    text = DEFAULT.read_text().replace("threshold: 8h", "threshold: 6h")
    text = text.replace("P1: {L1: 2h, L2: 4h", "P1: {L1: 1h, L2: 4h")
    code, output = _run("diff", str(DEFAULT), str(_write(tmp_path, text)))
    assert code == 0
    assert output.splitlines()[1:] == [
        "  path L2->L3 criterion 1 (time) threshold: 8h -> 6h",
        "  P1 L1 resolution target: 2h -> 1h",
    ]


def test_diff_with_an_invalid_side_exits_2(tmp_path: Path) -> None:
    code, output = _run("diff", str(DEFAULT), str(_write(tmp_path, "")))
    assert code == 2
    assert "the file is empty" in output
