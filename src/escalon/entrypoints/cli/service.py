"""The service commands: `serve`, `worker`, `db upgrade`, `token create|list|revoke`."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from escalon.bootstrap import Service, bootstrap, utc_now
from escalon.services import access
from escalon.services.errors import ServiceError
from escalon.settings import Settings, load_settings

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: ESCALON_DATABASE_URL or sqlite:///escalon.db)."
    ),
]

db_app = typer.Typer(help="The escalon database.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _settings(db: str | None, **overrides: Any) -> Settings:
    try:
        return load_settings(database_url=db, **overrides)
    except ValidationError as error:
        issue = error.errors()[0]
        field = ".".join(str(p) for p in issue["loc"])
        raise _fail(f"{field}: {issue['msg']}") from None


def _service(settings: Settings) -> Service:
    try:
        return bootstrap(settings)
    except Exception as error:  # a bad URL or driver: one line, no traceback
        raise _fail(f"database_url: {error}") from None


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to this version of escalon; installs the first policy."""
    service = _service(_settings(db))
    try:
        service.prepare()
    except Exception as error:
        raise _fail(f"database_url: {error}") from None
    finally:
        service.close()
    typer.echo("database is up to date")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who holds the token (shown in the audit log).")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(access.ROLES)}.")],
    db: DbOption = None,
) -> None:
    """Create a token and print it once; only its SHA-256 is stored."""
    if role not in access.ROLES:
        raise _fail(f"role: unknown role {role!r}; one of {', '.join(access.ROLES)}")
    service = _service(_settings(db))
    try:
        secret, _ = access.create_token(service.uow, name, role, utc_now())
    except ServiceError as error:
        raise _fail(f"{error.field}: {error.detail}") from None
    finally:
        service.close()
    typer.echo(secret)


@token_app.command("list")
def token_list(db: DbOption = None) -> None:
    """List tokens (names, roles, dates; never the secret)."""
    service = _service(_settings(db))
    try:
        rows = access.list_tokens(service.uow)
    finally:
        service.close()
    for row in rows:
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        typer.echo(f"{row['name']}\t{row['role']}\t{row['created_at']:%Y-%m-%d %H:%M}\t{state}")


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Revoke a token at once; calls with it get 401 from then on."""
    service = _service(_settings(db))
    try:
        access.revoke_token(service.uow, name, utc_now())
    except ServiceError as error:
        raise _fail(f"{error.field}: {error.detail}") from None
    finally:
        service.close()
    typer.echo(f"revoked {name}")


def serve(
    db: DbOption = None,
    host: Annotated[str | None, typer.Option(help="Bind address (ESCALON_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (ESCALON_PORT).")] = None,
    processes: Annotated[
        int | None, typer.Option(help="uvicorn worker processes (ESCALON_API_PROCESSES).")
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    import os

    import uvicorn

    settings = _settings(db, host=host, port=port, api_processes=processes)
    service = _service(settings)
    try:
        service.prepare()
    except Exception as error:
        raise _fail(f"database_url: {error}") from None
    finally:
        service.close()
    os.environ["ESCALON_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "escalon.entrypoints.api.server:app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.api_processes,
        log_level=settings.log_level,
    )


def worker(
    db: DbOption = None,
    once: Annotated[bool, typer.Option(help="Fire what is due now, then exit.")] = False,
) -> None:
    """Fire time-based decisions at their due instant (one per SQLite database)."""
    from escalon.entrypoints.worker import Worker

    settings = _settings(db)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(message)s")
    service = _service(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        stats = Worker(service, stop=stop).run(once=once)
    except ServiceError as error:
        raise _fail(error.detail) from None
    finally:
        service.close()
    typer.echo(f"worker stopped: {stats.decisions} decisions on {stats.tickets} tickets")
    for (channel, result), count in sorted((stats.deliveries or {}).items()):
        typer.echo(f"{channel}: {count} {result}")


def register(app: typer.Typer) -> None:
    """Add the service commands to the `escalon` app."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.add_typer(db_app, name="db")
    app.add_typer(token_app, name="token")
