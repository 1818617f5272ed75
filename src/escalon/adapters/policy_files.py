"""Policy files on disk: load, validate and lint a policy, and find the default that ships inside
the package (`escalon/policies/default.yaml`, the same file as the repository's
`policies/default.yaml`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

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
    """Load a policy and keep its source map so later checks can name FILE:LINE:COLUMN."""
    return load_with_source(path, Policy)


def _linted(policy: Policy, source: SourceMap) -> Policy:
    issues = sorted(place_lint_issues(lint_policy(policy), source), key=_position)
    if issues:
        raise SourceError(issues)
    return policy


def load_policy(path: Path | str) -> Policy:
    """Load, validate and lint a policy file; raise SourceError listing every problem.

    Lint findings are errors too: a policy naming a tier it does not define must never reach
    the engine.
    """
    return _linted(*load_with_source(path, Policy))


def parse_policy(text: str, *, file: str = "<text>") -> Policy:
    """`load_policy` for YAML given as text (tests, API uploads)."""
    return _linted(*validate_text(text, Policy, file=file))


def place_lint_issues(issues: list[LintIssue], source: SourceMap) -> list[SourceIssue]:
    """Give each semantic issue the FILE:LINE:COLUMN of the key or value it is about."""
    placed: list[SourceIssue] = []
    for issue in issues:
        if issue.at == "missing":
            placed.append(source.missing(issue.loc, issue.message))
        else:
            placed.append(source.issue(issue.loc, issue.message, at=issue.at))
    return placed


def check_policy(path: Path | str) -> tuple[Policy | None, list[SourceIssue]]:
    """Everything wrong with a policy file: syntax and schema first, then semantic lint.

    The policy is returned only when it is valid (it may still be returned with no issues).
    """
    try:
        policy, source = load_with_source(path, Policy)
    except SourceError as error:
        return None, list(error.issues)
    issues = sorted(place_lint_issues(lint_policy(policy), source), key=_position)
    return (None if issues else policy), issues


def _position(issue: SourceIssue) -> tuple[int, int]:
    return issue.line, issue.column


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
]
