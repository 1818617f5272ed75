"""Policy versions: validate, store, activate; the engine always runs the active version.

Versions are kept forever so every stored decision can name the policy that made it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalon.services.access import Caller
from escalon.services.errors import Conflict, InvalidPolicy, NotFound
from escalon.services.ports import IngestUnitOfWork, Row, UnitOfWorkFactory

PolicyParser = Callable[[str], Any]
"""Turns policy source text (YAML or JSON) into a Policy; raises ValueError naming the field."""


@dataclass(frozen=True)
class PolicyCheck:
    valid: bool
    version: str | None
    fingerprint: str | None
    errors: list[str]


class PolicyBook:
    """Parses policy sources once per version and remembers them for the life of the process."""

    def __init__(self, parser: PolicyParser) -> None:
        self._parse = parser
        self._cache: dict[str, Any] = {}

    def parse(self, source: str) -> Any:
        try:
            return self._parse(source)
        except (ValueError, TypeError) as error:
            raise InvalidPolicy(str(error), field="source") from error

    def active(self, uow: IngestUnitOfWork) -> Any:
        """The active policy; its source is read and parsed only the first time."""
        version = uow.policies.active_version()
        row = uow.policies.get(version) if version not in self._cache and version else None
        if version is None or (version not in self._cache and row is None):
            raise NotFound("no policy is active; run `escalon db upgrade` first", field="policy")
        if row is not None:
            self._cache[version] = self.parse(str(row["source"]))
        return self._cache[version]


def check(book: PolicyBook, source: str) -> PolicyCheck:
    try:
        policy = book.parse(source)
    except InvalidPolicy as error:
        return PolicyCheck(False, None, None, [error.detail])
    return PolicyCheck(True, str(policy.version), str(policy.fingerprint), [])


def activate(
    uow_factory: UnitOfWorkFactory, book: PolicyBook, source: str, caller: Caller, now: datetime
) -> Row:
    """Store `source` as a version (or reuse the stored one) and make it the active policy."""
    policy = book.parse(source)
    version = str(policy.version)
    with uow_factory() as uow:
        existing = uow.policies.get(version)
        if existing is not None and existing["fingerprint"] != str(policy.fingerprint):
            raise Conflict(
                f"policy version {version!r} exists with different content; bump the version",
                field="version",
            )
        if existing is None:
            uow.policies.add(_version_row(policy, source, caller.name, now))
        uow.policies.activate(version, now)
        uow.audit.record(caller.audit("policy.activate", version, {}, now))
        uow.commit()
        row = uow.policies.get(version)
    assert row is not None
    return row


def activate_stored(
    uow_factory: UnitOfWorkFactory, version: str, caller: Caller, now: datetime
) -> Row:
    """Roll back (or forward) to a version that was stored before."""
    with uow_factory() as uow:
        if uow.policies.get(version) is None:
            raise NotFound(f"no policy version {version!r}", field="version")
        uow.policies.activate(version, now)
        uow.audit.record(caller.audit("policy.activate", version, {}, now))
        uow.commit()
        row = uow.policies.get(version)
    assert row is not None
    return row


def install_first(
    uow_factory: UnitOfWorkFactory, book: PolicyBook, source: str, now: datetime
) -> bool:
    """Install `source` as the active policy when the database has none yet."""
    policy = book.parse(source)
    with uow_factory() as uow:
        if uow.policies.active() is not None:
            return False
        if uow.policies.get(str(policy.version)) is None:
            uow.policies.add(_version_row(policy, source, "escalon", now))
        uow.policies.activate(str(policy.version), now)
        uow.commit()
    return True


def _version_row(policy: Any, source: str, by: str, now: datetime) -> dict[str, Any]:
    return {
        "version": str(policy.version),
        "fingerprint": str(policy.fingerprint),
        "source": source,
        "created_at": now,
        "created_by": by,
        "activated_at": None,
        "active": False,
    }
