"""Decisions: what the engine says must happen, with the facts and the rule behind it.

A decision is a value. Its id is a hash of the ticket, the rule and the cycle or threshold that
made it due, so deriving the same decision again (a replay, a late event, a second tick) yields
the same id and downstream systems can drop the duplicate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from typing import Any

from escalon.domain.decision_kinds import DECISION_KINDS as DECISION_KINDS
from escalon.domain.decision_kinds import DecisionKind as DecisionKind

Fact = str | int | float | bool | None | list[str]


def decision_id(subject: str, rule: str, key: str) -> str:
    """Stable id: the same subject, rule and cycle/threshold key always give the same id."""
    digest = hashlib.blake2b(f"{subject}\x1f{rule}\x1f{key}".encode(), digest_size=10)
    return "d_" + digest.hexdigest()


def us_to_datetime(us: int) -> datetime:
    """An engine instant (epoch microseconds) as an aware UTC datetime."""
    return datetime.fromtimestamp(us / 1_000_000, UTC)


_last_at: tuple[int, str] = (0, us_to_datetime(0).isoformat().replace("+00:00", "Z"))


def _at_text(us: int) -> str:
    """ISO 8601 text of an instant, `Z` for UTC; decisions come in time order, so the last one
    is remembered."""
    global _last_at
    last = _last_at
    if last[0] == us:
        return last[1]
    text = us_to_datetime(us).isoformat().replace("+00:00", "Z")
    _last_at = (us, text)
    return text


_text = encode_basestring_ascii
"""A string as `json.dumps` writes it (ASCII only)."""
_FACTS = json.JSONEncoder(sort_keys=True).encode


@dataclass(frozen=True, slots=True, init=False)
class Decision:
    """One thing that must happen to a ticket (or a major incident), and why.

    `at` is when it became due, not when it was computed; `facts` holds the values compared
    (JSON-safe); `reason` is the same comparison as one sentence; `policy` is the policy ref
    (version@fingerprint) the rule came from.
    """

    id: str
    kind: DecisionKind
    ticket: str
    at_us: int
    rule: str
    reason: str
    policy: str
    facts: dict[str, Fact] = field(default_factory=dict, compare=False, hash=False)

    def __init__(
        self,
        id: str,  # noqa: A002 - the field's name
        kind: DecisionKind,
        ticket: str,
        at_us: int,
        rule: str,
        reason: str,
        policy: str,
        facts: dict[str, Fact] | None = None,
    ) -> None:
        # A replay makes hundreds of thousands of decisions: setting the slots directly costs
        # half of what the generated frozen `__init__` does (one `object.__setattr__` each).
        _set_id(self, id)
        _set_kind(self, kind)
        _set_ticket(self, ticket)
        _set_at_us(self, at_us)
        _set_rule(self, rule)
        _set_reason(self, reason)
        _set_policy(self, policy)
        _set_facts(self, {} if facts is None else facts)

    @property
    def at(self) -> datetime:
        return us_to_datetime(self.at_us)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, as printed by `escalon replay`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "ticket": self.ticket,
            "at": _at_text(self.at_us),
            "rule": self.rule,
            "reason": self.reason,
            "policy": self.policy,
            "facts": dict(self.facts),
        }

    def to_json(self) -> str:
        """`json.dumps(self.to_dict(), sort_keys=True)`, the line `escalon replay` prints, built
        field by field (a replay prints hundreds of thousands of them)."""
        return (
            f'{{"at": {_text(_at_text(self.at_us))}, "facts": {_FACTS(self.facts)}, '
            f'"id": {_text(self.id)}, "kind": {_text(self.kind)}, '
            f'"policy": {_text(self.policy)}, "reason": {_text(self.reason)}, '
            f'"rule": {_text(self.rule)}, "ticket": {_text(self.ticket)}}}'
        )


_SLOTS = vars(Decision)
_set_id = _SLOTS["id"].__set__
_set_kind = _SLOTS["kind"].__set__
_set_ticket = _SLOTS["ticket"].__set__
_set_at_us = _SLOTS["at_us"].__set__
_set_rule = _SLOTS["rule"].__set__
_set_reason = _SLOTS["reason"].__set__
_set_policy = _SLOTS["policy"].__set__
_set_facts = _SLOTS["facts"].__set__
