"""Every setting is documented in docs/operations.md, with its default."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalon.settings import Settings, load_settings

DOC = Path(__file__).resolve().parents[3] / "docs" / "operations.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_has_a_row_in_the_reference(name: str) -> None:
    rows = [line for line in DOC.read_text().splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name} is not in the configuration reference of {DOC.name}"
    field = Settings.model_fields[name]
    if field.default is not None:
        assert str(field.default).rstrip("0").rstrip(".") in rows[0]


def test_settings_come_from_escalon_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALON_WORKER_BATCH_SIZE", "17")
    monkeypatch.setenv("ESCALON_DATABASE_URL", "sqlite:///from-env.db")
    settings = load_settings(database_url="sqlite:///from-flag.db")
    assert settings.worker_batch_size == 17
    assert settings.database_url == "sqlite:///from-flag.db"


def test_an_invalid_setting_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("ESCALON_PORT", "99999")
    with pytest.raises(ValidationError, match="port"):
        load_settings()
