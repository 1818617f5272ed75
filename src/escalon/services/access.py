"""API tokens and roles: who may call what. Only a SHA-256 of each token is ever stored.

A token is shown once at creation; losing it means revoking it and creating another.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from escalon.services.errors import Conflict, Forbidden, NotFound, Unauthenticated
from escalon.services.ports import Row, UnitOfWorkFactory

Role = Literal["agent", "lead", "manager", "vp", "clevel", "admin", "integration"]
ROLES: tuple[str, ...] = get_args(Role)

_PEOPLE = frozenset({"agent", "lead", "manager", "vp", "clevel", "admin"})
_APPROVERS = frozenset({"lead", "manager", "vp", "clevel"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "events:ingest": _PEOPLE | {"integration"},
    "tickets:read": _PEOPLE,
    "escalations:read": _PEOPLE,
    "handoffs:write": _PEOPLE,
    "approvals:request": _PEOPLE,
    "approvals:read": _PEOPLE,
    "approvals:decide": _APPROVERS,
    "policy:read": frozenset({"admin"}),
    "policy:write": frozenset({"admin"}),
    "audit:read": frozenset({"admin"}),
    "metrics:read": _PEOPLE | {"integration"},
}
"""Each action and the roles allowed to perform it; the API checks every route against this."""

TOKEN_PREFIX = "esc_"


@dataclass(frozen=True)
class Caller:
    """The authenticated holder of a token; its name is what the audit log records."""

    name: str
    role: str

    def require(self, action: str) -> None:
        if self.role not in PERMISSIONS[action]:
            raise Forbidden(f"role {self.role!r} may not perform {action}", field="authorization")

    def audit(self, action: str, target: str | None, detail: dict[str, Any], at: datetime) -> Row:
        return {
            "at": at,
            "actor": self.name,
            "role": self.role,
            "action": action,
            "target": target,
            "detail": detail,
        }


SYSTEM = Caller(name="escalon", role="admin")
"""The service itself: the worker's ticks and the CLI's administrative commands."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    uow_factory: UnitOfWorkFactory, name: str, role: str, now: datetime
) -> tuple[str, Row]:
    """A new token for `name`; returns the secret (shown once) and the stored row (no secret)."""
    if role not in ROLES:
        raise Conflict(f"unknown role {role!r}; one of {', '.join(ROLES)}", field="role")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = {
        "id": secrets.token_hex(6),
        "name": name,
        "role": role,
        "token_hash": hash_token(secret),
        "created_at": now,
        "revoked_at": None,
    }
    with uow_factory() as uow:
        if uow.tokens.by_name(name) is not None:
            raise Conflict(f"a token named {name!r} exists", field="name")
        uow.tokens.add(row)
        uow.audit.record(SYSTEM.audit("token.create", name, {"role": role}, now))
        uow.commit()
    return secret, row


def list_tokens(uow_factory: UnitOfWorkFactory) -> list[Row]:
    with uow_factory(read_only=True) as uow:
        return uow.tokens.all()


def revoke_token(uow_factory: UnitOfWorkFactory, name: str, now: datetime) -> None:
    with uow_factory() as uow:
        if not uow.tokens.revoke(name, now):
            raise NotFound(f"no active token named {name!r}", field="name")
        uow.audit.record(SYSTEM.audit("token.revoke", name, {}, now))
        uow.commit()


def authenticate(uow_factory: UnitOfWorkFactory, authorization: str | None) -> Caller:
    """The caller behind an `Authorization: Bearer ...` header, or Unauthenticated."""
    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("a bearer token is required", field="authorization")
    with uow_factory(read_only=True) as uow:
        row = uow.tokens.by_hash(hash_token(secret.strip()))
    return caller_for(row)


def caller_for(row: Row | None) -> Caller:
    """The caller a stored token row stands for, or Unauthenticated (unknown or revoked)."""
    if row is None or row["revoked_at"] is not None:
        raise Unauthenticated("the token is unknown or revoked", field="authorization")
    return Caller(name=str(row["name"]), role=str(row["role"]))
