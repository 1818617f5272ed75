"""`escalon notify test CHANNEL` against a local Slack stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.notify.conftest import T0, message
from tests.integration.notify.fake_services import Answer, FakeServices
from typer.testing import CliRunner

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.migrate import upgrade
from escalon.adapters.db.outbox import SqlOutbox
from escalon.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from escalon.adapters.policy_files import default_policy_path
from escalon.bootstrap import parse_policy_text
from escalon.entrypoints.cli.main import app
from escalon.services.policies import PolicyBook, install_first

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


@pytest.fixture
def service_db(
    tmp_path: Path, policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SqlOutbox]:
    monkeypatch.setenv("ESCALON_DATABASE_URL", f"sqlite:///{tmp_path / 'escalon.db'}")
    monkeypatch.setenv("ESCALON_POLICY_PATH", str(policy_file))
    db = make_engine(f"sqlite:///{tmp_path / 'escalon.db'}")
    upgrade(db)
    book = PolicyBook(parse_policy_text)
    install_first(SqlUnitOfWorkFactory(db), book, policy_file.read_text(), T0)
    yield SqlOutbox(db)
    db.dispose()


def test_run_once_delivers_the_outbox_and_log_shows_it(
    service_db: SqlOutbox, services: FakeServices
) -> None:
    services.script("/slack/l2", Answer(200, "ok"), Answer(404, "channel_not_found"))
    service_db.enqueue(
        [
            message("d1", channel="l2-slack", escalation_id="E-1"),
            message("d2", channel="l2-slack", escalation_id="E-2", ticket_id="T-2002"),
        ]
    )
    result = runner.invoke(app, ["notify", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["l2-slack: 1 delivered", "l2-slack: 1 rejected"]
    assert len(services.to("/slack/l2")) == 2

    shown = runner.invoke(app, ["notify", "log", "--ticket", "T-2002"])
    assert shown.exit_code == 0, shown.output
    assert "rejected" in shown.output and "404 channel_not_found" in shown.output
    assert "T-1001" not in shown.output
    dead = runner.invoke(app, ["notify", "log", "--status", "delivered"])
    assert "T-1001" in dead.output and "T-2002" not in dead.output


def test_log_refuses_an_unknown_status(service_db: SqlOutbox) -> None:
    result = runner.invoke(app, ["notify", "log", "--status", "lost"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("status: unknown status 'lost'")
