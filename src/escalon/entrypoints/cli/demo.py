"""`escalon demo`: what `make demo` runs — the product end to end on the embedded default."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from escalon import __version__
from escalon.domain.events import EVENT_TYPES, event_json_schema


def demo() -> None:
    """Show what escalon understands today: the canonical event types it ingests."""
    console = Console()
    console.print(
        f"[bold]escalon {__version__}[/bold] — escalation management for support operations"
    )
    schema = event_json_schema()
    definitions = schema.get("$defs", {})
    table = Table(title="Canonical event types")
    table.add_column("type")
    table.add_column("fields of data")
    for event_type in EVENT_TYPES:
        fields = _data_fields(definitions, event_type)
        table.add_row(event_type, ", ".join(fields) if fields else "—")
    console.print(table)
    console.print("Print the full JSON Schema with: escalon schema events")


def _data_fields(definitions: dict[str, object], event_type: str) -> list[str]:
    """Names of the `data` fields of one event type, read from the published JSON Schema."""
    for definition in definitions.values():
        if not isinstance(definition, dict):
            continue
        properties = definition.get("properties", {})
        type_prop = properties.get("type", {})
        if type_prop.get("const") != event_type:
            continue
        ref = properties.get("data", {}).get("$ref", "")
        data_def = definitions.get(ref.rsplit("/", 1)[-1], {})
        if isinstance(data_def, dict):
            return list(data_def.get("properties", {}))
    return []
