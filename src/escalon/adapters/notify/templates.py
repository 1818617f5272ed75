"""Message templates: Jinja2 text with the built-in defaults under `templates/`.

Templates render with `StrictUndefined`, so a misspelt variable is an error. `check_template`
renders against a sample notification at validation time, which is how `escalon policy validate`
catches an unknown variable before any message is sent.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from escalon.domain.notify.message import Notification

TEMPLATE_DIR = Path(__file__).parent / "templates"


@cache
def _environment(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Template:
    """A compiled template: a built-in one by name, or a user file overriding it."""

    def __init__(self, builtin: str, override: Path | None = None) -> None:
        self.source = str(override) if override else f"built-in {builtin}"
        env = _environment(builtin.endswith(".html.j2"))
        if override is None:
            self._template = env.get_template(builtin)
        else:
            self._template = env.from_string(override.read_text(encoding="utf-8"))

    def render(self, notification: Notification) -> str:
        return self._template.render(notification.template_context()).strip()


def resolve_override(path: str | None, base_dir: Path | None) -> Path | None:
    """A template path from the policy, relative to the policy file's folder."""
    if path is None:
        return None
    candidate = Path(path)
    if not candidate.is_absolute() and base_dir is not None:
        candidate = base_dir / candidate
    return candidate


def check_template(template: Template, sample: Notification) -> str | None:
    """None if the template renders the sample, else the error (unknown variable, syntax)."""
    try:
        template.render(sample)
    except jinja2.UndefinedError as exc:
        return f"unknown template variable: {exc.message}"
    except jinja2.TemplateError as exc:
        return f"template error: {exc}"
    return None
