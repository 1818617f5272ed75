"""Checks of the notifications section that need templates on disk, for `escalon policy validate`.

The model already refuses a missing URL, a malformed secret, an unknown kind or a bad sender
address; the policy lint catches unknown channels, tiers, segments and calendars in routes. This
adds what needs Jinja2 and the policy's folder: every template (built-in or override) must render
a sample notification under `StrictUndefined`, and every route must be deliverable as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from escalon.adapters.notify.templates import Template, check_template, resolve_override
from escalon.domain.notify.message import sample_notification
from escalon.domain.notify.routing import PAGERDUTY_KINDS
from escalon.domain.policy.base import LintIssue, Loc
from escalon.domain.policy.notifications import ChannelSpec, EmailChannel, NotificationsPolicy

SAMPLE_TIME = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

_TEMPLATE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "slack": (("template", "slack.md.j2"),),
    "teams": (("template", "teams.md.j2"),),
    "pagerduty": (("template", "pagerduty.txt.j2"),),
    "email": (
        ("subject_template", "email_subject.txt.j2"),
        ("template", "email.txt.j2"),
        ("html_template", "email.html.j2"),
    ),
    "webhook": (),
}


def lint_notifications(
    policy: NotificationsPolicy, *, base_dir: Path | None = None
) -> list[LintIssue]:
    """Every problem that would otherwise surface at send time; `base_dir` is the folder of the
    policy file, against which template paths are resolved."""
    issues: list[LintIssue] = []
    for name, spec in policy.channels.items():
        issues.extend(_templates(name, spec, base_dir))
    issues.extend(_routes(policy))
    return issues


def _templates(name: str, spec: ChannelSpec, base_dir: Path | None) -> Iterator[LintIssue]:
    sample = sample_notification(SAMPLE_TIME)
    for field, builtin in _TEMPLATE_FIELDS[spec.type]:
        loc: Loc = ("notifications", "channels", name, field)
        path = resolve_override(getattr(spec, field), base_dir)
        if path is not None and not path.is_file():
            yield LintIssue(loc, f"template file not found: {path}")
            continue
        try:
            template = Template(builtin, path)
        except Exception as exc:  # Jinja2 syntax errors and unreadable files alike
            yield LintIssue(loc, f"template error: {exc}")
            continue
        problem = check_template(template, sample)
        if problem is not None:
            yield LintIssue(loc, f"{problem} in {template.source}")


def _routes(policy: NotificationsPolicy) -> Iterator[LintIssue]:
    for index, route in enumerate(policy.routes):
        loc: Loc = ("notifications", "routes", index)
        spec = policy.channels.get(route.channel)
        if isinstance(spec, EmailChannel) and route.target is None and not spec.to:
            yield LintIssue(
                (*loc, "target"),
                f"e-mail channel {route.channel!r} has no `to` list: the route needs a target",
                "missing",
            )
        if spec is not None and spec.type == "pagerduty" and route.kinds:
            unsupported = [kind for kind in route.kinds if kind not in PAGERDUTY_KINDS]
            if unsupported:
                yield LintIssue(
                    (*loc, "kinds"),
                    f"PagerDuty has no event for {', '.join(unsupported)} "
                    f"(it takes {', '.join(sorted(PAGERDUTY_KINDS))})",
                )
