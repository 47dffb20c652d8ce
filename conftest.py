"""Shared fixtures: a real DynamoDB Local for the whole run, a settable clock."""

import os
import subprocess
import uuid
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.utils import translation

import backoffice.settings as settings_module
from enrollments import clock
from enrollments.dynamo import connection
from scripts import dynamodb_local

# Subprocesses the tests start (workers, manage.py) speak English too, as the tests below do.
os.environ["LANGUAGE_CODE"] = "en"


@pytest.fixture(scope="session", autouse=True)
def dynamodb():
    """Start DynamoDB Local in memory (or use TEST_DYNAMODB_ENDPOINT) and create this run's tables."""
    endpoint = os.environ.get("TEST_DYNAMODB_ENDPOINT")
    process = None
    if not endpoint:
        process, port = dynamodb_local.start()
        endpoint = f"http://127.0.0.1:{port}"
    # A prefix of its own per run: tables are made once per session, and runs never share them.
    run_settings = {"DYNAMODB_ENDPOINT": endpoint, "DYNAMODB_TABLE_PREFIX": f"test{uuid.uuid4().hex[:8]}_"}
    for name, value in run_settings.items():
        setattr(settings, name, value)
        # The settings module too: a Settings object made again from it (one full run in several saw the
        # default endpoint come back mid-run) still points at this run's DynamoDB and tables.
        setattr(settings_module, name, value)
    connection.configure()
    connection.create_tables()
    yield endpoint
    if process is not None:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def own_tables(dynamodb):
    """Give the module tables of its own, for tests that read a whole index (a scheduler tick at real time hands
    out every due record of the table, other modules' included); the run's tables come back after it."""
    saved = settings.DYNAMODB_TABLE_PREFIX
    settings.DYNAMODB_TABLE_PREFIX = f"test{uuid.uuid4().hex[:8]}_"
    connection.configure()
    connection.create_tables()
    yield settings.DYNAMODB_TABLE_PREFIX
    settings.DYNAMODB_TABLE_PREFIX = saved
    connection.configure()


@pytest.fixture
def frozen_clock():
    """Freeze the clock at a fixed moment; move it with ``frozen_clock.set(...)``."""

    class FrozenClock:
        start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

        def set(self, at: datetime) -> datetime:
            clock.set_now(at)
            return at

        @property
        def now(self) -> datetime:
            return clock.now()

    fixed = FrozenClock()
    clock.set_now(fixed.start)
    yield fixed
    clock.set_now(None)


@pytest.fixture(autouse=True)
def processes_only_in_slow_tests(request, monkeypatch):
    """Fail a test that starts a process (a worker, gunicorn, manage.py, msgfmt...) unless it is marked ``slow``:
    ``make test-fast`` leaves exactly those out. Fixtures of a wider scope (DynamoDB Local, a shared gunicorn)
    start before this one and are not counted."""
    if request.node.get_closest_marker("slow"):
        return

    def refuse(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} starts a process: mark it slow (pytest.mark.slow)")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture(autouse=True)
def english(settings):
    """Run each test in English, the language its assertions are written in; the product's default is pt-BR.

    A test about another language sends it (``Accept-Language``, the language cookie) or uses
    ``translation.override``.
    """
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
