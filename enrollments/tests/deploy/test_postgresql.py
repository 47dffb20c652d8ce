"""Django's own tables on PostgreSQL through DATABASE_URL, as production keeps them (psycopg)."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVER = ("127.0.0.1", 5432)
ADMIN_URL = "postgres://postgres@127.0.0.1:5432"


def _answers() -> bool:
    try:
        socket.create_connection(SERVER, timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def fresh_database():
    """Create a database of this test's own on the machine's PostgreSQL; drop it afterwards."""
    if not _answers():
        pytest.skip("No PostgreSQL answers at 127.0.0.1:5432 (start one to run this test).")
    import psycopg

    name = f"backoffice_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(f"{ADMIN_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_migrate__postgresql_database_url__creates_djangos_tables_and_the_staff_groups(fresh_database):
    import psycopg

    url = f"{ADMIN_URL}/{fresh_database}"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    with psycopg.connect(url) as database:
        [engine] = database.execute("SELECT version()").fetchone()
        applied = {app for (app,) in database.execute("SELECT DISTINCT app FROM django_migrations")}
        groups = {name for (name,) in database.execute("SELECT name FROM auth_group")}
    assert engine.startswith("PostgreSQL")
    assert {"auth", "sessions", "enrollments"} <= applied
    assert {"viewers", "operators", "supervisors"} <= groups
