"""The `escalon` command: one Typer app; each area of the product adds its sub-commands here."""

from __future__ import annotations

import json

import typer

from escalon import __version__
from escalon.domain.events import event_json_schema
from escalon.entrypoints.cli.authority import app as authority_app
from escalon.entrypoints.cli.brief import brief
from escalon.entrypoints.cli.demo import demo
from escalon.entrypoints.cli.handoff import app as handoff_app
from escalon.entrypoints.cli.importing import import_command
from escalon.entrypoints.cli.notify import app as notify_app
from escalon.entrypoints.cli.policy import app as policy_app
from escalon.entrypoints.cli.replay import explain_command, replay_command
from escalon.entrypoints.cli.report import report
from escalon.entrypoints.cli.service import register as register_service
from escalon.entrypoints.cli.simulate import simulate_ops_command
from escalon.entrypoints.cli.sla import app as sla_app

app = typer.Typer(
    name="escalon",
    help="Escalation management engine for customer-support operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(
    help="Print the JSON Schemas of escalon's input formats.", no_args_is_help=True
)
app.add_typer(schema_app, name="schema")
register_service(app)
app.command()(demo)
app.command("simulate-ops")(simulate_ops_command)
app.command()(report)
app.add_typer(handoff_app, name="handoff")
app.add_typer(authority_app, name="authority")
app.add_typer(policy_app, name="policy")
app.command()(brief)
app.command("import")(import_command)
app.add_typer(sla_app, name="sla")
app.add_typer(notify_app, name="notify")
app.command("replay")(replay_command)
app.command("explain")(explain_command)


@app.command()
def version() -> None:
    """Print escalon's version."""
    typer.echo(__version__)


@schema_app.command("events")
def schema_events() -> None:
    """Print the JSON Schema of the canonical event format."""
    typer.echo(json.dumps(event_json_schema(), indent=2))


def main() -> None:
    app()
