"""Policy files on disk: load, validate and lint a policy, and find the default that ships inside
the package (`escalon/policies/default.yaml`, the same file as the repository's
`policies/default.yaml`)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from escalon.adapters.yamlsource import SourceError, SourceMap, load_with_source, validate_text
from escalon.domain.policy import Policy

DEFAULT_POLICY_RESOURCE = "policies/default.yaml"


def default_policy_path() -> Path:
    """Where the default policy of the installed package lives."""
    return Path(str(resources.files("escalon").joinpath(DEFAULT_POLICY_RESOURCE)))


def load_policy_with_source(path: Path | str) -> tuple[Policy, SourceMap]:
    """Load a policy and keep its source map so later checks can name FILE:LINE:COLUMN."""
    return load_with_source(path, Policy)


def load_policy(path: Path | str) -> Policy:
    """Load and validate a policy file; raise SourceError listing every problem."""
    return load_with_source(path, Policy)[0]


def parse_policy(text: str, *, file: str = "<text>") -> Policy:
    """Validate policy YAML given as text (tests, API uploads)."""
    return validate_text(text, Policy, file=file)[0]


@cache
def load_default_policy() -> Policy:
    """The default policy, loaded once per process (it is immutable)."""
    return load_policy(default_policy_path())


__all__ = [
    "DEFAULT_POLICY_RESOURCE",
    "SourceError",
    "default_policy_path",
    "load_default_policy",
    "load_policy",
    "load_policy_with_source",
    "parse_policy",
]
