"""`escalon policy validate | show | diff`: check, read and compare policy files."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from escalon.adapters.policy_files import check_policy, default_policy_path
from escalon.adapters.yamlsource import SourceIssue
from escalon.domain.policy import Policy
from escalon.domain.policy.diff import diff_policies
from escalon.domain.policy.render import duration_words, money, render_policy

app = typer.Typer(help="Validate, show and compare escalation policy files.", no_args_is_help=True)

PolicyFile = Annotated[Path, typer.Argument(help="A policy YAML file.", show_default=False)]


class Format(StrEnum):
    text = "text"
    json = "json"


def _load_or_exit(path: Path) -> Policy:
    """The valid policy, or every problem printed as FILE:LINE:COLUMN and exit code 2."""
    policy, issues = check_policy(path)
    if policy is None:
        _print_issues(issues)
        raise typer.Exit(code=2)
    return policy


def _print_issues(issues: list[SourceIssue]) -> None:
    for issue in issues:
        typer.echo(str(issue), err=True)
    count = len(issues)
    typer.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


def summary(policy: Policy, path: Path) -> list[str]:
    """The one-screen summary printed by `validate` when the policy is valid."""
    tiers = policy.tiers_in_order()
    acks = ", ".join(f"{name} {policy.tiers[name].acknowledgement}" for name in tiers)
    paths = ", ".join(path.name for path in policy.paths)
    roles = policy.authority.roles
    caps = ", ".join(
        f"{role.title} {money(role.credit_cap, policy.currency)}"
        for role in sorted(roles.values(), key=lambda r: r.seniority)
    )
    sla = policy.management.response
    return [
        f"{path}: valid",
        f"  policy      {policy.name} version {policy.version} ({policy.ref})",
        f"  tiers       {len(tiers)}: acknowledge {acks}",
        f"  paths       {len(policy.paths)}: {paths}",
        f"  management  {len(policy.management.triggers)} triggers; acknowledge within "
        f"{duration_words(sla.acknowledgement)}, plan within {duration_words(sla.resolution_plan)}",
        f"  authority   {caps}",
        f"  calendars   {', '.join(policy.calendars)}; default {policy.clocks.default}",
        f"  segments    {', '.join(policy.segments) or 'none'}",
        f"  vendors     {', '.join(policy.vendors) or 'none'}",
        f"  channels    {', '.join(policy.notifications.channels) or 'none'}",
    ]


@app.command()
def validate(file: PolicyFile) -> None:
    """Check a policy file: exit 0 with a summary, or exit 2 listing every problem."""
    policy = _load_or_exit(file)
    for line in summary(policy, file):
        typer.echo(line)


@app.command()
def show(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A policy YAML file; the default policy when omitted.", show_default=False
        ),
    ] = None,
    output: Annotated[
        Format, typer.Option("--format", "-f", help="text (the seed's layout) or json.")
    ] = Format.text,
) -> None:
    """Print a policy in the layout of the escalation policy summary, or as JSON."""
    policy = _load_or_exit(file or default_policy_path())
    if output is Format.json:
        document = {"ref": policy.ref, "fingerprint": policy.fingerprint}
        document.update(policy.model_dump(mode="json"))
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        typer.echo(render_policy(policy), nl=False)


@app.command()
def diff(old: PolicyFile, new: PolicyFile) -> None:
    """List, in words, what changed from policy OLD to policy NEW."""
    before, after = _load_or_exit(old), _load_or_exit(new)
    changes = diff_policies(before, after)
    if not changes:
        typer.echo(f"No changes: both policies have content {after.fingerprint[:12]}.")
        return
    typer.echo(
        f"{before.ref} -> {after.ref}: {len(changes)} change{'s' if len(changes) != 1 else ''}"
    )
    for change in changes:
        typer.echo(f"  {change}")
