"""Shared fixtures: a real PostgreSQL database for the session, or a clear reason to skip.

Order of preference: the server on 127.0.0.1:5432 (trust auth, user postgres or root); else a
throwaway cluster started with initdb/pg_ctl from /usr/lib/postgresql/*/bin on a free loopback
port (as the `postgres` account through runuser when running as root, since initdb refuses
root); else skip. Each session gets a fresh database with a random name, dropped at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


def _admin_dsn(host: str, port: int, user: str) -> str:
    return f"host={host} port={port} user={user} dbname=postgres connect_timeout=3"


def _try_server(host: str, port: int) -> str | None:
    for user in ("postgres", "root", os.environ.get("USER", "")):
        if not user:
            continue
        try:
            with psycopg.connect(_admin_dsn(host, port, user), autocommit=True):
                return user
        except psycopg.Error:
            continue
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_cluster_owner() -> list[str] | None:
    """The command prefix that runs initdb/pg_ctl: nothing, or `runuser -u postgres --` as root
    (initdb refuses to run as root); None when root has no `postgres` account to run them as."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return [runuser, "-u", "postgres", "--"] if runuser else None


def _throwaway_cluster() -> tuple[str, int, str, list[str], Path, Path] | None:
    """initdb + pg_ctl start on a loopback port; returns (host, port, user, prefix, bin, data)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    prefix = _as_cluster_owner()
    if not found or prefix is None:
        return None
    bindir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="escalon-pg-"))
    if prefix:  # the cluster's owner must be able to write its directory
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data = base / "data"
    user = "postgres"
    port = _free_port()
    command = [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust"]
    subprocess.run(command, check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base}"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(base / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return "127.0.0.1", port, user, prefix, bindir, data


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[tuple[str, int, str]]:
    """(host, port, user) of a PostgreSQL server this session may create databases on."""
    user = _try_server("127.0.0.1", 5432)
    if user is not None:
        yield "127.0.0.1", 5432, user
        return
    cluster = _throwaway_cluster()
    if cluster is None:
        pytest.skip(
            "PostgreSQL tests skipped: no server on 127.0.0.1:5432 and no usable "
            "/usr/lib/postgresql/*/bin/initdb (missing, or running as root without a "
            "`postgres` account and runuser to start it as)"
        )
    host, port, user, prefix, bindir, data = cluster
    try:
        yield host, port, user
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(data.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: tuple[str, int, str]) -> Iterator[str]:
    """A fresh, empty database for this session, as a SQLAlchemy URL; dropped afterwards."""
    host, port, user = postgres_server
    name = f"escalon_test_{secrets.token_hex(6)}"
    with psycopg.connect(_admin_dsn(host, port, user), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(_admin_dsn(host, port, user), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
