from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalon.adapters.policy_files import default_policy_path
from escalon.entrypoints.cli.main import app

runner = CliRunner()


def test_support_manager_and_7500_credit_says_no_and_names_vp() -> None:
    result = runner.invoke(
        app, ["authority", "check", "--role", "support_manager", "--credit", "7500"]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "no: $7,500 is above support_manager's cap of $5,000 for a service credit; "
        "the lowest role that may approve it is vp_support",
        "lowest approver: vp_support",
    ]


def test_vp_may_approve() -> None:
    result = runner.invoke(app, ["authority", "check", "--role", "vp_support", "--credit", "7500"])
    assert result.exit_code == 0
    assert result.stdout.startswith("yes: vp_support may approve a $7,500 service credit")


def test_discount_and_contract_change() -> None:
    ok = runner.invoke(app, ["authority", "check", "--role", "l2_specialist", "--discount", "200"])
    assert ok.exit_code == 0
    no = runner.invoke(
        app, ["authority", "check", "--role", "l2_specialist", "--contract-change", "0"]
    )
    assert no.exit_code == 1
    assert "lowest approver: support_manager" in no.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--role", "ceo", "--credit", "10"], "--role"),
        (["--role", "vp_support", "--credit", "-5"], "--credit"),
        (["--role", "vp_support", "--credit", "lots"], "--credit"),
        (["--role", "vp_support", "--discount", "1e"], "--discount"),
        (["--role", "vp_support"], "--credit"),
        (["--role", "vp_support", "--credit", "1", "--discount", "1"], "exactly one"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], named: str) -> None:
    result = runner.invoke(app, ["authority", "check", *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in result.output


def test_custom_policy_file(tmp_path: Path) -> None:
    text = default_policy_path().read_text(encoding="utf-8")
    custom = tmp_path / "policy.yaml"
    custom.write_text(text.replace("credit_cap: 5000", "credit_cap: 10000"), encoding="utf-8")
    args = ["authority", "check", "--role", "support_manager", "--credit", "7500"]
    assert runner.invoke(app, [*args, "--policy", str(custom)]).exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "--policy", str(broken)])
    assert result.exit_code == 2 and result.stderr.startswith("error: --policy:")


def test_matrix_lists_roles_in_seniority_order() -> None:
    result = runner.invoke(app, ["authority", "matrix"])
    assert result.exit_code == 0
    assert result.stdout.index("l1_agent") < result.stdout.index("c_level")
    assert "unlimited" in result.stdout
