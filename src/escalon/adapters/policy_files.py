"""Policy files on disk: load, validate and lint a policy, and find the default that ships inside
the package (`escalon/policies/default.yaml`, the same file as the repository's
`policies/default.yaml`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from escalon.adapters.notify.lint import lint_notifications
from escalon.adapters.yamlsource import (
    SourceError,
    SourceIssue,
    SourceMap,
    load_with_source,
    validate_text,
)
from escalon.domain.policy import Policy
from escalon.domain.policy.base import LintIssue
from escalon.domain.policy.lint import lint_policy

DEFAULT_POLICY_RESOURCE = "policies/default.yaml"


def default_policy_path() -> Path:
    """Where the default policy of the installed package lives."""
    return Path(str(resources.files("escalon").joinpath(DEFAULT_POLICY_RESOURCE)))


def load_policy_with_source(path: Path | str) -> tuple[Policy, SourceMap]:
    """Load a policy (schema only) and keep its source map so later checks can name
    FILE:LINE:COLUMN."""
    return load_with_source(path, Policy)


def place_lint_issues(issues: list[LintIssue], source: SourceMap) -> list[SourceIssue]:
    """Give each semantic issue the FILE:LINE:COLUMN of the key or value it is about."""
    placed: list[SourceIssue] = []
    for issue in issues:
        if issue.at == "missing":
            placed.append(source.missing(issue.loc, issue.message))
        else:
            placed.append(source.issue(issue.loc, issue.message, at=issue.at))
    return placed


def _position(issue: SourceIssue) -> tuple[int, int]:
    return issue.line, issue.column


def semantic_issues(
    policy: Policy, source: SourceMap, *, base_dir: Path | None = None
) -> list[SourceIssue]:
    """Domain lint plus the notification checks that need templates on disk, in file order;
    `base_dir` is the policy file's folder, against which template paths resolve."""
    found = lint_policy(policy) + lint_notifications(policy.notifications, base_dir=base_dir)
    return sorted(place_lint_issues(found, source), key=_position)


def check_policy(path: Path | str) -> tuple[Policy | None, list[SourceIssue]]:
    """Everything wrong with a policy file: syntax and schema first, then semantic lint.

    The policy is returned only when there is nothing wrong with it.
    """
    try:
        policy, source = load_with_source(path, Policy)
    except SourceError as error:
        return None, list(error.issues)
    issues = semantic_issues(policy, source, base_dir=Path(path).parent)
    return (None if issues else policy), issues


def load_policy(path: Path | str) -> Policy:
    """Load, validate and lint a policy file; raise SourceError listing every problem.

    Lint findings are errors too: a policy naming a tier it does not define must never reach
    the engine.
    """
    policy, issues = check_policy(path)
    if policy is None:
        raise SourceError(issues)
    return policy


def parse_policy(text: str, *, file: str = "<text>", base_dir: Path | None = None) -> Policy:
    """`load_policy` for YAML given as text (tests, API uploads)."""
    policy, source = validate_text(text, Policy, file=file)
    issues = semantic_issues(policy, source, base_dir=base_dir)
    if issues:
        raise SourceError(issues)
    return policy


@cache
def load_default_policy() -> Policy:
    """The default policy, loaded once per process (it is immutable)."""
    return load_policy(default_policy_path())


__all__ = [
    "DEFAULT_POLICY_RESOURCE",
    "SourceError",
    "check_policy",
    "default_policy_path",
    "load_default_policy",
    "load_policy",
    "load_policy_with_source",
    "parse_policy",
    "place_lint_issues",
    "semantic_issues",
]
