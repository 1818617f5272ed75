"""Where imported events go, each as one transaction: all events of an import or none.

A JSON Lines file is written to a temporary file beside the target and renamed over it only when
the import succeeds, so a failed or refused import leaves the previous file untouched. Events
already in the target (same id) are not written again: re-importing an export adds nothing.
Importers give every event of one import a distinct id, so only the target's existing ids are
remembered and a fresh import's memory does not grow with its size.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO, Protocol

from escalon.domain.events import Event


class EventSink(Protocol):
    """Receives the events of one import; nothing is visible to others before `commit`.

    `added` counts the events new to the target (not stored there before); a sink that stages
    in chunks may learn it late, so it is final only after `commit`.
    """

    added: int

    def add(self, event: Event) -> None:
        """Stage an event (one already stored, same id, is counted as not added)."""
        ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class DiscardSink:
    """`--dry-run`: validates and counts, stores nothing."""

    def __init__(self) -> None:
        self.added = 0

    def add(self, event: Event) -> None:  # noqa: ARG002 (the sink protocol)
        self.added += 1

    def commit(self) -> None:
        return None

    def abort(self) -> None:
        return None


class JsonlSink:
    """Canonical events as JSON Lines, merged with the file's existing events by id."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.added = 0
        self._ids: set[str] = set()
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent or Path(".")
        )
        self._temp = Path(name)
        self._out: IO[str] = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        if target.exists():
            self._copy_existing()

    def _copy_existing(self) -> None:
        with self.target.open(encoding="utf-8") as existing:
            for line in existing:
                if not line.strip():
                    continue
                ident = json.loads(line).get("id")
                if isinstance(ident, str):
                    self._ids.add(ident)
                self._out.write(line if line.endswith("\n") else line + "\n")

    def add(self, event: Event) -> None:
        if event.id in self._ids:
            return
        self._out.write(event.model_dump_json(exclude_none=True))
        self._out.write("\n")
        self.added += 1

    def commit(self) -> None:
        self._out.close()
        umask = os.umask(0)
        os.umask(umask)
        self._temp.chmod(0o666 & ~umask)
        os.replace(self._temp, self.target)
        self._ids.clear()

    def abort(self) -> None:
        self._out.close()
        self._temp.unlink(missing_ok=True)
        self._ids.clear()
