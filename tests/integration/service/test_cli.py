"""The service commands: db upgrade, tokens, and bad input as one line with exit code 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from escalon.adapters.db.connection import make_engine
from escalon.adapters.db.unit_of_work import SqlUnitOfWorkFactory
from escalon.entrypoints.cli.main import app
from escalon.services.access import authenticate

runner = CliRunner()


def test_upgrade_then_tokens_create_list_revoke(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--db", db]).exit_code == 0
    created = runner.invoke(
        app, ["token", "create", "--name", "zd", "--role", "integration", "--db", db]
    )
    assert created.exit_code == 0, created.output
    secret = created.output.strip()
    assert secret.startswith("esc_")
    engine = make_engine(db)
    uow = SqlUnitOfWorkFactory(engine)
    assert authenticate(uow, f"Bearer {secret}").role == "integration"
    with uow(read_only=True) as unit:
        assert secret not in str(unit.tokens.all())
    listed = runner.invoke(app, ["token", "list", "--db", db])
    assert "zd\tintegration" in listed.output and "active" in listed.output
    assert runner.invoke(app, ["token", "revoke", "zd", "--db", db]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["token", "list", "--db", db]).output
    engine.dispose()


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner.invoke(app, ["db", "upgrade", "--db", db])
    role = runner.invoke(app, ["token", "create", "--name", "x", "--role", "boss", "--db", db])
    assert role.exit_code == 2 and "role" in role.output and "Traceback" not in role.output
    runner.invoke(app, ["token", "create", "--name", "x", "--role", "agent", "--db", db])
    twice = runner.invoke(app, ["token", "create", "--name", "x", "--role", "agent", "--db", db])
    assert twice.exit_code == 2 and "name" in twice.output
    missing = runner.invoke(app, ["token", "revoke", "nobody", "--db", db])
    assert missing.exit_code == 2 and "nobody" in missing.output
    url = runner.invoke(app, ["db", "upgrade", "--db", "nosuchdb://x"])
    assert url.exit_code == 2 and "database_url" in url.output
    assert len(url.output.strip().splitlines()) == 1
