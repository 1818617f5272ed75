"""The throwaway PostgreSQL cluster of the test setup starts, even as root, and serves."""

from __future__ import annotations

import glob
import shutil
import subprocess

import psycopg
import pytest
from tests.conftest import _throwaway_cluster


@pytest.mark.postgres
@pytest.mark.skipif(
    not glob.glob("/usr/lib/postgresql/*/bin/initdb"), reason="no PostgreSQL binaries here"
)
def test_a_throwaway_cluster_starts_and_answers() -> None:
    cluster = _throwaway_cluster()
    assert cluster is not None, "initdb exists, so the cluster must start (as postgres if root)"
    host, port, user, prefix, bindir, data = cluster
    try:
        dsn = f"host={host} port={port} user={user} dbname=postgres connect_timeout=5"
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT current_user").fetchone() == (user,)
    finally:
        stop = [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(stop, capture_output=True, check=False)
        shutil.rmtree(data.parent, ignore_errors=True)
