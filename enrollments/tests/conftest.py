"""Fixtures shared by the enrollments tests: staff and catalog data, the lifecycle's clock and SMTP sink,
real Celery workers, Debian's Chromium, and DynamoDB made unreachable. Helpers live in the ``*_support``
modules and ``factories``; tests import those, never another test module."""

import contextlib
import os
import shutil
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from enrollments import clock
from enrollments.dynamo import connection
from enrollments.services import enroll, lifecycle_cursor_set
from enrollments.tests.browser_support import CHROMIUM, CHROMIUM_ARGS
from enrollments.tests.celery_support import BrokerOutage, ImportWorkers, Worker, drop_queue
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person
from enrollments.tests.lifecycle_support import WINDOW_DAYS, ApiCall, LifecycleTime, SmtpSink, next_window
from enrollments.tests.reports_support import report_company
from enrollments.tests.webhook_support import Receiver
from scripts import production_server as production
from scripts.dynamodb_local import free_port


@pytest.fixture
def dynamodb_down():
    """Point the models at a port where nothing listens, then restore them."""
    saved = settings.DYNAMODB_ENDPOINT
    settings.DYNAMODB_ENDPOINT = f"http://127.0.0.1:{free_port()}"
    connection.configure()
    yield
    settings.DYNAMODB_ENDPOINT = saved
    connection.configure()


@pytest.fixture
def frozen_dynamodb_endpoint():
    """Yield the URL of a server that takes every connection and never answers (a frozen DynamoDB), and the
    connections it holds."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def hold_connections() -> None:
        with contextlib.suppress(OSError):  # the listener closed: the test is over
            while True:
                held.append(listener.accept()[0])

    threading.Thread(target=hold_connections, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", held
    listener.close()
    for held_socket in held:
        held_socket.close()


@pytest.fixture
def dynamodb_stalled(frozen_dynamodb_endpoint):
    """Point the models, with a web request's bounds kept short, at a frozen DynamoDB, then restore them."""
    endpoint, held = frozen_dynamodb_endpoint
    names = ("DYNAMODB_ENDPOINT", "DYNAMODB_CONNECT_TIMEOUT", "DYNAMODB_READ_TIMEOUT", "DYNAMODB_MAX_ATTEMPTS")
    saved = {name: getattr(settings, name) for name in names}
    settings.DYNAMODB_ENDPOINT = endpoint
    settings.DYNAMODB_CONNECT_TIMEOUT, settings.DYNAMODB_READ_TIMEOUT, settings.DYNAMODB_MAX_ATTEMPTS = 0.5, 0.5, 2
    connection.configure(profile=connection.WEB)
    yield held
    for name, value in saved.items():
        setattr(settings, name, value)
    connection.configure(profile=connection.WORKER)


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where nothing listens (the task queue is down) until the test calls
    ``broker_down.restore()`` or ends."""
    outage = BrokerOutage().start(f"redis://127.0.0.1:{free_port()}/0")
    yield outage
    outage.restore()


# Staff and catalog data.


@pytest.fixture
def staff_user(db):
    """Return a function making an active staff user, in ``group`` when given."""

    def make(group: str | None = None):
        user = get_user_model().objects.create_user(
            username=f"{group or 'nogroup'}-{uuid.uuid4().hex[:6]}",
            password="pw-for-tests",
            is_staff=True,
            first_name="Staff",
            last_name=(group or "none").title(),
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def login(client, staff_user):
    """Log the test client in as a new staff user of ``group`` (none: staff without permissions)."""

    def as_member(group: str | None = None):
        user = staff_user(group)
        client.force_login(user)
        return user

    return as_member


@pytest.fixture
def catalog():
    """A prepaid company with 3 seats of a 90-day course, and a postpaid company."""
    company, course = make_company(billing="prepaid"), make_course(access_period_days=90, certificate_validity_days=365)
    order = make_order(company, course, seats=3)
    return {"company": company, "course": course, "order": order, "postpaid": make_company(billing="postpaid")}


@pytest.fixture
def enrollment(catalog):
    """An enrollment of a new person at the prepaid company, with a 10-day deduplication window."""
    return enroll(
        tenant_id=catalog["company"].sk,
        course_id=catalog["course"].sk,
        user=make_person(),
        author=STAFF,
        deduplication_window_days=10,
    )


# The lifecycle: a clock in days of a test's own, an SMTP server, the calls made to DynamoDB.


@pytest.fixture
def lifecycle_time():
    """Freeze the clock at noon on the first day of a fresh window, and point the tick's cursor there."""
    start = datetime(2031, 1, 1, 12, 0, tzinfo=UTC) + timedelta(days=WINDOW_DAYS * next_window())
    clock.set_now(start)
    lifecycle_cursor_set(day=start.date(), now=start)
    yield LifecycleTime(start=start)
    clock.set_now(None)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.release.set()
    sink.shutdown()
    sink.server_close()


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Send through the real SMTP backend to the sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp_sink.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return smtp_sink


@pytest.fixture
def outbox(settings, tmp_path):
    """Development's email settings (``DEBUG`` on, the outbox backend), the outbox in a folder of the test's own,
    which it returns (not made yet: the backend makes it)."""
    folder = tmp_path / "outbox"
    settings.DEBUG = True
    settings.EMAIL_BACKEND = settings.OUTBOX_EMAIL_BACKEND
    settings.EMAIL_OUTBOX_DIR = str(folder)
    return folder


@pytest.fixture
def dynamodb_calls(monkeypatch):
    """Record every DynamoDB API call PynamoDB makes (operation, request, response) while the test runs."""
    from pynamodb.connection.base import Connection

    calls: list[ApiCall] = []
    original = Connection._make_api_call

    def recording(self, operation_name, operation_kwargs):
        response = original(self, operation_name, operation_kwargs)
        calls.append(ApiCall(operation_name, operation_kwargs, response))
        return response

    monkeypatch.setattr(Connection, "_make_api_call", recording)
    return calls


@pytest.fixture
def webhook_receiver(settings):
    """A real HTTP receiver on 127.0.0.1 (``webhook_support.Receiver``); endpoints may point at it in this test."""
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    receiver = Receiver()
    yield receiver
    receiver.stop()


# Real Celery workers, each a subprocess on a queue of this run's or this test's own.


@pytest.fixture(scope="session")
def celery_queue():
    """A queue name of this run's own: runs sharing one Redis never take each other's tasks."""
    queue = f"test-lifecycle-{uuid.uuid4().hex[:10]}"
    yield queue
    drop_queue(queue)


@pytest.fixture
def start_worker(celery_queue, dynamodb, tmp_path):
    """Return a function that starts a lifecycle worker subprocess on this run's queue and waits until it is ready.

    The worker sends through SMTP to ``smtp_port``; without one it keeps development's email settings (no backend,
    no mail server: the outbox of ``EMAIL_OUTBOX_DIR``, which the caller passes).
    """
    workers: list[Worker] = []

    def start(*, smtp_port: int | None = None, **env_overrides) -> Worker:
        name = f"w{len(workers)}-{uuid.uuid4().hex[:6]}"
        if smtp_port is None:
            email = {"EMAIL_BACKEND": "", "EMAIL_HOST": ""}
        else:
            email = {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": smtp_port,
                "EMAIL_TIMEOUT": 60,
            }
        env = {
            "CELERY_TASK_DEFAULT_QUEUE": celery_queue,
            **email,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
            **env_overrides,
        }
        worker = Worker(
            queue=celery_queue,
            name=name,
            log=tmp_path / f"{name}.log",
            env=env,
            options=["--pool=solo", "--loglevel=INFO"],
        )
        workers.append(worker)
        return worker.wait_ready()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def digest_queue(settings):
    """A queue of this test alone for the digests the code hands to workers (``CELERY_TASK_DEFAULT_QUEUE``, read when
    a digest is queued), dropped after the test: nothing it queued lingers for another run's workers."""
    queue = f"test-digests-{uuid.uuid4().hex[:10]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    yield queue
    drop_queue(queue)


@pytest.fixture
def workers(tmp_path, settings):
    """Import workers on a queue of this test alone, which imports (and the live server's confirmations) queue to."""
    pool = ImportWorkers(queue=f"test-imports-{uuid.uuid4().hex}", tmp_path=tmp_path)
    settings.IMPORTS_QUEUE = pool.queue
    yield pool
    pool.stop_all()


# Debian's Chromium, driven by Playwright.


# One per test module, as before: the async-unsafe switch it sets must not outlive the browser tests.
@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


# The app as production runs it: gunicorn, DEBUG=false, the .env.example settings (scripts/production_server.py).


@pytest.fixture(scope="session")
def production_env(dynamodb, tmp_path_factory):
    """The production environment on this run's DynamoDB tables and Redis, its static files collected, its
    SQLite migrated."""
    env = production.production_environment(
        workdir=tmp_path_factory.mktemp("production"),
        dynamodb_endpoint=dynamodb,
        table_prefix=settings.DYNAMODB_TABLE_PREFIX,
        broker_url=settings.CELERY_BROKER_URL,
    )
    production.collectstatic(env)
    production.manage(env, "migrate", "--noinput", "-v", "0")
    return env


@pytest.fixture(scope="session")
def production_server(production_env, tmp_path_factory):
    """gunicorn with the production settings, shared by the run's tests that only read from it."""
    server = production.ProductionServer(env=production_env, log=tmp_path_factory.mktemp("gunicorn") / "log").start()
    yield server
    server.stop()


@pytest.fixture
def start_production_server(production_env, tmp_path):
    """Return a function starting gunicorn with the production settings and ``overrides``; each stops after the test."""
    servers = []

    def start(**overrides: str) -> production.ProductionServer:
        server = production.ProductionServer(
            env={**production_env, **overrides}, log=tmp_path / f"gunicorn{len(servers)}.log"
        )
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


# The compliance report and its exports: one company in every place of the report, made once per module.

REPORT_NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def report_data(dynamodb):
    """A company of people in every bucket, with the clock frozen at the report's moment while the module runs."""
    made = report_company(REPORT_NOW)
    clock.set_now(REPORT_NOW)
    yield made
    clock.set_now(None)


@pytest.fixture
def at_report_time(report_data):
    clock.set_now(report_data.now)
    yield report_data
    clock.set_now(None)
