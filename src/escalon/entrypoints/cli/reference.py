"""The CLI reference in docs/cli.md, generated from the commands themselves so it cannot drift.

`python -m escalon.entrypoints.cli.reference > docs/cli.md` rewrites it; a test fails when the
committed file differs from what the commands say today.
"""

from __future__ import annotations

from typing import Any

import typer
import typer.main

from escalon.entrypoints.cli.main import app


def _param_line(param: Any) -> str:
    if param.param_type_name == "argument":
        name = f"`{(param.name or '').upper()}`"
        text = getattr(param, "help", None) or ""
    else:
        name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        text = getattr(param, "help", None) or ""
    required = " (required)" if param.required else ""
    return f"- {name}{required}: {text}".rstrip(": ").rstrip()


def _walk(command: Any, path: list[str], out: list[str]) -> None:
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            _walk(command.commands[name], [*path, name], out)
        return
    out += [f"## `{' '.join(path)}`", ""]
    if command.help:
        out += [command.help.strip(), ""]
    params = [p for p in command.params if p.name != "help"]
    out += [_param_line(p) for p in params]
    if params:
        out.append("")


def reference() -> str:
    """Markdown for every command, in alphabetical order of its full name."""
    out = [
        "# Command-line reference",
        "",
        "Generated from the commands by `python -m escalon.entrypoints.cli.reference`;",
        "a test keeps it in step with the code. `escalon COMMAND --help` says the same.",
        "",
    ]
    _walk(typer.main.get_command(app), ["escalon"], out)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    typer.echo(reference(), nl=False)
