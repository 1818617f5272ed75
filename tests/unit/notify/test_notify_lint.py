from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from escalon.adapters.notify.lint import lint_notifications
from escalon.domain.policy.notifications import NotificationsPolicy

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def policy(
    channels: dict[str, Any], routes: list[dict[str, Any]] | None = None
) -> NotificationsPolicy:
    return NotificationsPolicy.model_validate({"channels": channels, "routes": routes or []})


def messages(p: NotificationsPolicy, base_dir: Path | None = None) -> list[str]:
    return [
        f"{'.'.join(map(str, i.loc))}: {i.message}"
        for i in lint_notifications(p, base_dir=base_dir)
    ]


def test_built_in_templates_are_clean() -> None:
    p = policy(
        {
            "s": {"type": "slack", "url": "https://h/s"},
            "t": {"type": "teams", "url": "https://h/t"},
            "p": {"type": "pagerduty", "routing_key": "k" * 32},
            "e": {"type": "email", "host": "smtp", "sender": "a@b.c", "to": ["x@y.z"]},
            "w": {"type": "webhook", "url": "https://h/w", "secrets": [SECRET]},
        },
        [{"channel": "e"}, {"channel": "p", "kinds": ["escalate", "resolved"]}],
    )
    assert messages(p) == []


def test_unknown_template_variable_is_caught(tmp_path: Path) -> None:
    (tmp_path / "l2.j2").write_text("Ticket {{ ticket_id }} for {{ custmer }}")
    p = policy({"s": {"type": "slack", "url": "https://h/s", "template": "l2.j2"}})
    (problem,) = messages(p, tmp_path)
    assert problem.startswith("notifications.channels.s.template: unknown template variable")
    assert "'custmer' is undefined" in problem


def test_missing_and_broken_templates(tmp_path: Path) -> None:
    (tmp_path / "broken.j2").write_text("{% if %}")
    p = policy(
        {
            "a": {"type": "teams", "url": "https://h/t", "template": "nowhere.j2"},
            "b": {"type": "teams", "url": "https://h/t", "template": str(tmp_path / "broken.j2")},
        }
    )
    problems = messages(p, tmp_path)
    assert problems[0].startswith("notifications.channels.a.template: template file not found")
    assert problems[1].startswith("notifications.channels.b.template: template error")


def test_email_route_without_recipient_and_pagerduty_kinds() -> None:
    p = policy(
        {
            "e": {"type": "email", "host": "smtp", "sender": "a@b.c"},
            "p": {"type": "pagerduty", "routing_key": "k" * 32},
        },
        [
            {"channel": "e"},
            {"channel": "e", "target": "l2@x.com"},
            {"channel": "p", "kinds": ["sla_warning"]},
        ],
    )
    assert [m.split(":")[0] for m in messages(p)] == [
        "notifications.routes.0.target",
        "notifications.routes.2.kinds",
    ]


@pytest.mark.parametrize(
    ("channel", "field"),
    [
        ({"type": "slack"}, "url"),
        ({"type": "teams", "url": "hooks.example.com/x"}, "url"),
        (
            {"type": "webhook", "url": "https://h", "secrets": ["MfKQ9r8GKYqrTwjUPD8ILPZIo2La"]},
            "secrets",
        ),
        ({"type": "webhook", "url": "https://h", "secrets": ["whsec_not base64!"]}, "secrets"),
        ({"type": "webhook", "url": "https://h", "secrets": ["whsec_c2hvcnQ="]}, "secrets"),
        ({"type": "webhook", "url": "https://h", "secrets": []}, "secrets"),
        ({"type": "pagerduty", "routing_key": "short"}, "routing_key"),
        ({"type": "email", "host": "smtp", "sender": "nobody"}, "sender"),
    ],
)
def test_misconfigured_channels_fail_validation(channel: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        policy({"c": channel})
    assert field in {str(part) for error in raised.value.errors() for part in error["loc"]}


def test_unknown_kind_in_a_route_fails_validation() -> None:
    with pytest.raises(ValidationError):
        policy(
            {"s": {"type": "slack", "url": "https://h/s"}}, [{"channel": "s", "kinds": ["brech"]}]
        )
