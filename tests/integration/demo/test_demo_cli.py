"""`escalon demo` runs end to end through the real CLI and shows what it claims to."""

from __future__ import annotations

from typer.testing import CliRunner

from escalon.domain.events import EVENT_TYPES
from escalon.entrypoints.cli.main import app


def test_demo_lists_every_canonical_event_type() -> None:
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    for event_type in EVENT_TYPES:
        assert event_type in result.output
