"""`escalon notify test CHANNEL` against a local Slack stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.notify.fake_services import Answer, FakeServices
from typer.testing import CliRunner

from escalon.adapters.policy_files import default_policy_path
from escalon.entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture
def policy_file(tmp_path: Path, services: FakeServices) -> Path:
    text = default_policy_path().read_text(encoding="utf-8")
    text += f"""
notifications:
  channels:
    l2-slack:
      type: slack
      url: {services.url("/slack/l2")}
  routes:
    - channel: l2-slack
      tiers: [L2]
"""
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_delivered(policy_file: Path, services: FakeServices) -> None:
    result = runner.invoke(app, ["notify", "test", "l2-slack", "--policy", str(policy_file)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("l2-slack: delivered (status 200) in ")
    (received,) = services.to("/slack/l2")
    assert received.json()["text"] == "escalon test message for channel l2-slack"


def test_refused_message_prints_the_service_error(
    policy_file: Path, services: FakeServices
) -> None:
    services.script("/slack/l2", Answer(404, "channel_not_found"))
    result = runner.invoke(app, ["notify", "test", "l2-slack", "-p", str(policy_file)])
    assert result.exit_code == 1
    assert "rejected (status 404)" in result.output
    assert result.output.rstrip().endswith(": channel_not_found")


def test_unknown_channel_is_one_line_and_exit_2(policy_file: Path) -> None:
    result = runner.invoke(app, ["notify", "test", "pager", "-p", str(policy_file)])
    assert result.exit_code == 2
    assert result.output.strip() == "channel: unknown channel 'pager' (known: l2-slack)"


def test_misconfigured_channel_fails_validation_first(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = default_policy_path().read_text(encoding="utf-8")
    path.write_text(text + "\nnotifications:\n  channels:\n    x: {type: slack}\n")
    result = runner.invoke(app, ["notify", "test", "x", "-p", str(path)])
    assert result.exit_code == 2
    assert "url" in result.output and "Traceback" not in result.output
