"""docs/cli.md is generated from the commands; it must say what the commands say today."""

from __future__ import annotations

from pathlib import Path

from escalon.entrypoints.cli.reference import reference

DOC = Path(__file__).resolve().parents[3] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is stale: run `python -m escalon.entrypoints.cli.reference > docs/cli.md`"
    )


def test_reference_lists_every_area() -> None:
    text = reference()
    commands = ("escalon policy validate", "escalon sla due", "escalon replay", "escalon serve")
    for command in commands:
        assert f"## `{command}`" in text
