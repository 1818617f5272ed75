"""Operational records the event stream does not carry: prevention initiatives and churn.

The canonical events describe tickets. KB articles written while resolving an escalation travel
on `ticket.resolved.kb_article`, but trainings, process changes, tool enhancements and customers
who churned are facts about the organisation, so escalon reads them from a small JSON Lines file
(one record a line) passed to `escalon report --records FILE`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

RecordKind = Literal["kb_article", "training", "process_change", "tool_enhancement", "churn"]


class OpsRecord(BaseModel):
    """One initiative or churn. `customer` is required for churn (checked on load)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    kind: RecordKind
    at: AwareDatetime
    title: str | None = None
    customer: str | None = None
    team: str | None = None


_RECORDS = TypeAdapter(OpsRecord)


class OpsRecordError(ValueError):
    """A records file line that is not a valid record; the message names line and field."""


def parse_ops_records(lines: Iterable[str], source: str = "records") -> list[OpsRecord]:
    out: list[OpsRecord] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = _RECORDS.validate_json(line)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "line"
            raise OpsRecordError(f"{source}:{number}: {where}: {error['msg']}") from None
        if record.kind == "churn" and not record.customer:
            raise OpsRecordError(f"{source}:{number}: customer: required for a churn record")
        out.append(record)
    return out


def read_ops_records(path: Path) -> list[OpsRecord]:
    with path.open(encoding="utf-8") as handle:
        return parse_ops_records(handle, str(path))


def write_ops_records(path: Path, records: Iterable[OpsRecord]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record.model_dump(mode="json", exclude_none=True)) + "\n")
