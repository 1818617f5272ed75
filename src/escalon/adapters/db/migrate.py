"""Running the packaged Alembic migrations (`escalon db upgrade`) and checking the revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to run on every start and from several processes."""
    config = _config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several processes may run `escalon db upgrade` at once; one migrates, the rest wait.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(740650)")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str:
    """The newest revision shipped with this escalon."""
    head = ScriptDirectory(str(_SCRIPTS)).get_current_head()
    return head or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first `escalon db upgrade`."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
