"""Customer-facing messages rendered from Jinja2 templates a team can override.

Built-in templates live in `escalon/templates/customer/`. A team points escalon at its own
directory; any template found there (same file name) replaces the built-in one, the rest fall
back. Rendering uses `StrictUndefined`, so a misspelt variable in a team template is an error
rather than a silent blank in front of a customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from escalon.domain.messages import EscalationNotice

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "templates" / "customer"


class TemplateProblem(ValueError):
    """A template that is missing, malformed or uses an unknown variable; names the template."""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@cache
def _environment(override: Path | None, autoescape: bool) -> jinja2.Environment:
    search = [str(override)] if override is not None else []
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*search, str(BUILTIN_DIR)]),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(name: str, context: dict[str, object], override: Path | None) -> str:
    env = _environment(override, name.endswith(".html.j2"))
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound:
        raise TemplateProblem(f"template {name} not found") from None
    except jinja2.UndefinedError as error:
        raise TemplateProblem(f"template {name}: unknown variable ({error.message})") from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"template {name}:{error.lineno}: {error.message}") from None


def render_escalation_notice(
    notice: EscalationNotice, *, template_dir: Path | None = None
) -> RenderedMessage:
    """Subject, plain text and HTML of the escalation notice for the customer."""
    override = template_dir.resolve() if template_dir is not None else None
    context = notice.template_context()
    return RenderedMessage(
        subject=_render("escalation_notice.subject.j2", context, override).strip(),
        text=_render("escalation_notice.txt.j2", context, override),
        html=_render("escalation_notice.html.j2", context, override),
    )
