"""What changed between two policies, in words: `L2 acknowledgement: 15m -> 20m`.

Both policies are compared as their canonical JSON (what the fingerprint hashes), so formatting,
comments and key order never show up as changes. Escalation paths are matched by name
(`L1->L2`), not by position, so reordering them is not a change either.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from escalon.domain.policy.model import Policy

_SECTION_NOUNS = {
    "tiers": "tier",
    "calendars": "calendar",
    "vendors": "vendor",
    "segments": "segment",
    "paths": "escalation path",
}


def _by_name(dump: dict[str, Any]) -> dict[str, Any]:
    paths = dump.get("paths", [])
    dump["paths"] = {f"{p['from_tier']}->{p['to_tier']}": p for p in paths}
    return dump


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _label(parts: tuple[str | int, ...], old: dict[str, Any], new: dict[str, Any]) -> str:
    """Readable name of a place in the policy."""
    words = [p.replace("_", " ") if isinstance(p, str) else f"#{p + 1}" for p in parts]
    head = parts[0] if parts else ""
    if head == "tiers" and len(parts) >= 2:
        return " ".join([str(parts[1]), *words[2:]])
    if head == "response" and len(parts) == 4 and parts[1] == "resolution":
        return f"{parts[2]} {parts[3]} resolution target"
    if head == "response" and len(parts) == 3 and parts[1] == "customer_updates":
        return f"{parts[2]} customer update cadence"
    if head == "authority" and len(parts) >= 3 and parts[1] == "roles":
        role = new["authority"]["roles"].get(parts[2]) or old["authority"]["roles"].get(parts[2])
        return " ".join([role["title"] if role else str(parts[2]), *words[3:]])
    if head == "management" and len(parts) >= 3 and parts[1] == "triggers":
        return " ".join(["management trigger", str(parts[2]), *words[3:]])
    if head == "management" and len(parts) >= 2 and parts[1] == "response":
        return " ".join(["management", *words[2:]]) if len(parts) > 2 else "management response"
    if head == "paths" and len(parts) >= 2:
        rest = list(words[2:])
        if len(parts) >= 4 and parts[2] == "criteria" and isinstance(parts[3], int):
            path = new["paths"].get(parts[1]) or old["paths"].get(parts[1])
            kind = path["criteria"][parts[3]]["type"].replace("_", " ")
            rest = [f"criterion {parts[3] + 1} ({kind})", *words[4:]]
        return " ".join([f"path {parts[1]}", *rest])
    if head in _SECTION_NOUNS and len(parts) >= 2:
        return " ".join([_SECTION_NOUNS[str(head)], str(parts[1]), *words[2:]])
    return " ".join(words)


def _walk(
    old: Any, new: Any, parts: tuple[str | int, ...], roots: tuple[dict[str, Any], dict[str, Any]]
) -> Iterator[str]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key not in new:
                yield f"removed {_label((*parts, key), *roots)}"
        for key in new:
            if key not in old:
                yield f"added {_label((*parts, key), *roots)}: {_value(new[key])}"
            else:
                yield from _walk(old[key], new[key], (*parts, key), roots)
        return
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and len(old) == len(new)
        and any(isinstance(item, dict) for item in old + new)
    ):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            yield from _walk(before, after, (*parts, index), roots)
        return
    yield f"{_label(parts, *roots)}: {_value(old)} -> {_value(new)}"


def diff_policies(old: Policy, new: Policy) -> list[str]:
    """One line per change from `old` to `new`; empty when the content is the same."""
    before = _by_name(old.model_dump(mode="json"))
    after = _by_name(new.model_dump(mode="json"))
    return list(_walk(before, after, (), (before, after)))
