"""`escalon handoff`: render a handoff file in the seed's layout, print a blank form, check one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from pydantic import ValidationError

from escalon.adapters.customer_messages import TemplateProblem, render_escalation_notice
from escalon.adapters.policy_files import SourceError, load_default_policy, load_policy
from escalon.domain.handoff import (
    RENDER_FORMATS,
    HandoffForm,
    check_handoff,
    choose_handoff_mode,
    parse_handoff,
    render_handoff,
    validate_field_names,
)
from escalon.domain.messages import escalation_notice
from escalon.domain.policy import Policy

HandoffFile = Annotated[Path, typer.Argument(help="Handoff file, YAML or JSON.")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="text, markdown or json.")]
RequireOption = Annotated[
    list[str] | None,
    typer.Option(
        "--require", "-r", help="A required field, e.g. issue_summary.impact (repeatable)."
    ),
]

app = typer.Typer(
    help="Escalation handoff forms: render, blank template, completeness check.",
    no_args_is_help=True,
)


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _read_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON file (JSON is YAML) whose top level must be a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"{path}: cannot read ({error.__class__.__name__})")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        _fail(f"{path}{where}: not valid YAML or JSON")
    if not isinstance(data, dict):
        _fail(f"{path}: a handoff file must be a mapping of sections (ticket_information, ...)")
    return data


def load_handoff_file(path: Path) -> HandoffForm:
    """Parse a handoff file, turning any problem into one `error:` line and exit code 2."""
    data = _read_mapping(path)
    try:
        return parse_handoff(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        _fail(f"{path}: handoff field {field}: {first['msg']}")


def _check_format(fmt: str) -> None:
    if fmt not in RENDER_FORMATS:
        _fail(f"--format: {fmt!r} is not one of {', '.join(RENDER_FORMATS)}")


@app.command("render")
def render(
    file: HandoffFile,
    fmt: FormatOption = "text",
) -> None:
    """Print a handoff in the seed's form layout (text), as Markdown, or as JSON."""
    _check_format(fmt)
    form = load_handoff_file(file)
    typer.echo(render_handoff(form, fmt), nl=False)  # type: ignore[arg-type]


@app.command("template")
def template(
    fmt: FormatOption = "text",
) -> None:
    """Print a blank handoff form to fill in."""
    _check_format(fmt)
    typer.echo(render_handoff(HandoffForm(), fmt), nl=False)  # type: ignore[arg-type]


PathOption = Annotated[
    str | None,
    typer.Option(
        "--path", help="Escalation path of the policy whose fields to require, e.g. L1->L2."
    ),
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy file (default: the shipped policy).")
]


def _load_policy(policy_file: Path | None) -> Policy:
    try:
        return load_policy(policy_file) if policy_file else load_default_policy()
    except SourceError as error:
        _fail(f"--policy: {error.issues[0] if error.issues else error}")
    except OSError:
        _fail(f"--policy: {policy_file}: cannot read")


def _path_fields(path: str, policy_file: Path | None) -> list[str]:
    policy = _load_policy(policy_file)
    names = [p.name for p in policy.paths]
    wanted = path.replace(" ", "")
    for candidate in policy.paths:
        if candidate.name == wanted:
            return list(candidate.handoff_fields)
    _fail(f"--path: unknown escalation path {path!r}; paths are {', '.join(names)}")


@app.command("check")
def check(
    file: HandoffFile,
    require: RequireOption = None,
    path: PathOption = None,
    policy: PolicyOption = None,
) -> None:
    """Say whether a handoff has the required fields, and its completeness score (0-100).

    Required fields come from `--path` (the policy's list for that escalation path) plus any
    `--require`. Exit 0 when complete, 1 when fields are missing.
    """
    fields = _path_fields(path, policy) if path else []
    try:
        required = validate_field_names([*fields, *(require or [])])
    except ValueError as error:
        _fail(f"--require: {error}")
    verdict = check_handoff(load_handoff_file(file), dict.fromkeys(required))
    result = {
        "complete": verdict.complete,
        "score": verdict.score,
        "missing": list(verdict.missing),
    }
    typer.echo(json.dumps(result))
    if not verdict.complete:
        raise typer.Exit(1)


TemplatesOption = Annotated[
    Path | None,
    typer.Option("--templates", help="Team template directory overriding the built-in ones."),
]


@app.command("notice")
def notice(
    file: HandoffFile,
    templates: TemplatesOption = None,
    timezone: Annotated[
        str, typer.Option("--timezone", help="Customer's time zone, e.g. Europe/Berlin.")
    ] = "UTC",
    part: Annotated[str, typer.Option("--part", help="text, html or subject.")] = "text",
    policy: PolicyOption = None,
) -> None:
    """Print the customer's escalation notice for a handoff, with the expected next update time.

    Ticket id, priority, target tier and escalation time come from the handoff's ticket
    information; the update cadence and the warm/cold rule from the policy.
    """
    if part not in ("text", "html", "subject"):
        _fail(f"--part: {part!r} is not one of text, html, subject")
    if templates is not None and not templates.is_dir():
        _fail(f"--templates: {templates}: not a directory")
    form = load_handoff_file(file)
    rules = _load_policy(policy)
    info = form.ticket_information
    for field in ("ticket_id", "priority", "escalation_to", "escalation_time"):
        if getattr(info, field) is None:
            _fail(f"{file}: handoff field ticket_information.{field} is needed for a notice")
    assert info.ticket_id and info.priority and info.escalation_to and info.escalation_time
    mode = choose_handoff_mode(
        rules.handoff.warm_when,
        priority=info.priority,
        vip=form.customer_communication.vip,
        sentiment=form.current_status.customer_sentiment,
        prefers_live_transfer=form.customer_communication.prefers_live_transfer,
    )
    try:
        message = render_escalation_notice(
            escalation_notice(
                ticket=info.ticket_id,
                priority=info.priority,
                escalated_to=info.escalation_to,
                escalated_at=info.escalation_time,
                cadence=rules.response.customer_updates[info.priority].as_timedelta,
                promised_update=form.customer_communication.expected_update_time,
                timezone=timezone,
                warm_handoff=mode.mode == "warm",
            ),
            template_dir=templates,
        )
    except ValidationError as error:
        first = error.errors()[0]
        _fail(f"--{first['loc'][0]}: {first['msg'].removeprefix('Value error, ')}")
    except TemplateProblem as error:
        _fail(f"--templates: {error}")
    chosen = {"text": message.text, "html": message.html, "subject": message.subject}[part]
    typer.echo(chosen if chosen.endswith("\n") else chosen + "\n", nl=False)
