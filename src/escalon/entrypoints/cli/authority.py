"""`escalon authority`: may this role approve this credit, discount or contract change?"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from escalon.adapters.policy_files import SourceError, load_default_policy, load_policy
from escalon.domain.authority import (
    RequestKind,
    UnknownRole,
    check_authority,
    money,
    ordered_roles,
    parse_amount,
)
from escalon.domain.policy import Policy

app = typer.Typer(
    help="The authority matrix: who may approve service credits, discounts, contract changes.",
    no_args_is_help=True,
)

PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy file (default: the shipped policy).")
]


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _policy(path: Path | None) -> Policy:
    if path is None:
        return load_default_policy()
    try:
        return load_policy(path)
    except SourceError as error:
        _fail(f"--policy: {error.issues[0]}" if error.issues else f"--policy: {error}")
    except OSError:
        _fail(f"--policy: {path}: cannot read")


def _request(
    credit: str | None, discount: str | None, contract_change: str | None
) -> tuple[RequestKind, Decimal]:
    options: tuple[tuple[RequestKind, str, str | None], ...] = (
        ("service_credit", "--credit", credit),
        ("discount", "--discount", discount),
        ("contract_change", "--contract-change", contract_change),
    )
    given = [(kind, flag, text) for kind, flag, text in options if text is not None]
    if len(given) != 1:
        _fail("give exactly one of --credit AMOUNT, --discount AMOUNT, --contract-change VALUE")
    kind, flag, text = given[0]
    try:
        return kind, parse_amount(text, field=flag)
    except ValueError as error:
        _fail(str(error))


@app.command("check")
def check(
    role: Annotated[str, typer.Option("--role", help="The approver's role, e.g. support_manager.")],
    credit: Annotated[str | None, typer.Option("--credit", help="Service credit amount.")] = None,
    discount: Annotated[str | None, typer.Option("--discount", help="Discount amount.")] = None,
    contract_change: Annotated[
        str | None, typer.Option("--contract-change", help="Value of the contract change (0 ok).")
    ] = None,
    policy: PolicyOption = None,
) -> None:
    """Say yes or no, why, and who can approve. Exit 0 for yes, 1 for no."""
    kind, amount = _request(credit, discount, contract_change)
    matrix = _policy(policy).authority
    try:
        verdict = check_authority(matrix, role, kind, amount)
    except UnknownRole as error:
        _fail(f"--role: {error}")
    typer.echo(f"{'yes' if verdict.allowed else 'no'}: {verdict.reason}")
    typer.echo(f"lowest approver: {verdict.lowest_approver or 'none'}")
    if not verdict.allowed:
        raise typer.Exit(1)


@app.command("matrix")
def matrix(policy: PolicyOption = None) -> None:
    """Print the authority matrix: roles by seniority, credit caps and actions."""
    authority = _policy(policy).authority
    table = Table("Role", "Seniority", "Credit cap", "Actions")
    for name in ordered_roles(authority):
        spec = authority.roles[name]
        cap = "unlimited" if spec.credit_cap is None else money(spec.credit_cap)
        table.add_row(name, str(spec.seniority), cap, ", ".join(spec.actions))
    Console().print(table)
