from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from escalon.adapters.customer_messages import TemplateProblem, render_escalation_notice
from escalon.domain.messages import escalation_notice, expected_next_update

AT = datetime(2025, 4, 1, 13, 0, tzinfo=UTC)


def test_next_update_is_the_cadence_unless_a_sooner_promise_was_made() -> None:
    assert expected_next_update(AT, timedelta(hours=4)) == AT + timedelta(hours=4)
    promised = AT + timedelta(hours=2)
    assert expected_next_update(AT, timedelta(hours=4), promised) == promised
    later = AT + timedelta(hours=6)
    assert expected_next_update(AT, timedelta(hours=4), later) == AT + timedelta(hours=4)
    past = AT - timedelta(hours=1)
    assert expected_next_update(AT, timedelta(hours=4), past) == AT + timedelta(hours=4)
    with pytest.raises(ValueError):
        expected_next_update(AT, timedelta(0))


def _notice(**kw: object) -> object:
    base: dict[str, object] = {
        "ticket": "T-7",
        "priority": "P2",
        "escalated_to": "L3",
        "escalated_at": AT,
        "cadence": timedelta(hours=4),
        "contact_name": "Ana",
        "subject": "ERP sync",
        "timezone": "America/New_York",
    }
    base.update(kw)
    return escalation_notice(**base)  # type: ignore[arg-type]


def test_builtin_notice_names_the_team_and_next_update_in_local_time() -> None:
    message = render_escalation_notice(_notice())  # type: ignore[arg-type]
    assert message.subject == "[T-7] Your request has been escalated to our engineering team"
    assert message.text.startswith('Hello Ana,\n\nYour request T-7 ("ERP sync") has been')
    assert "by Tuesday 01 April 2025 at 13:00 (EDT) at the latest" in message.text
    assert "L3" not in message.text
    assert "<strong>Tuesday 01 April 2025 at 13:00 (EDT)</strong>" in message.html


def test_warm_handoff_changes_the_wording() -> None:
    message = render_escalation_notice(_notice(warm_handoff=True))  # type: ignore[arg-type]
    assert "will introduce you personally" in message.text


def test_html_escapes_customer_text() -> None:
    message = render_escalation_notice(_notice(subject="<script>x</script>"))  # type: ignore[arg-type]
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html


def test_team_template_overrides_only_what_it_provides(tmp_path: Path) -> None:
    (tmp_path / "escalation_notice.txt.j2").write_text(
        "Hi {{ contact_name }}, {{ team }} has {{ ticket }}; "
        "next update {{ next_update_local }}.\n",
        encoding="utf-8",
    )
    message = render_escalation_notice(_notice(), template_dir=tmp_path)  # type: ignore[arg-type]
    assert message.text == (
        "Hi Ana, our engineering team has T-7; next update Tuesday 01 April 2025 at 13:00 (EDT).\n"
    )
    assert message.subject.startswith("[T-7]")


def test_team_template_with_unknown_variable_is_named(tmp_path: Path) -> None:
    (tmp_path / "escalation_notice.subject.j2").write_text("{{ tikcet }}", encoding="utf-8")
    with pytest.raises(TemplateProblem, match="escalation_notice.subject.j2: unknown variable"):
        render_escalation_notice(_notice(), template_dir=tmp_path)  # type: ignore[arg-type]


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        _notice(timezone="Mars/Olympus")
