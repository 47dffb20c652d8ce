"""What the lifecycle tests share: a time window of their own, a tick, an SMTP sink, real Celery workers.

Import the fixtures by name into a test module (``from enrollments.tests.lifecycle_support import lifecycle_time``).
"""

import email
import itertools
import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from enrollments import clock, selectors
from enrollments.dynamo.models import AuditEventItem, LifecycleRecordItem, MainItem
from enrollments.services import enroll, lifecycle_cursor_set, lifecycle_records_process, lifecycle_tick
from enrollments.tests.factories import STAFF, make_company, make_course, make_person

ROOT = Path(__file__).resolve().parents[2]

# Every test gets a stretch of days no other test uses: the `due` index is shared by the whole session.
_windows = itertools.count()
WINDOW_DAYS = 1500


@dataclass
class LifecycleTime:
    """A frozen clock in a window of days of this test's own, with a tick that processes in place."""

    start: datetime
    outcomes: Counter = field(default_factory=Counter)

    def set(self, at: datetime) -> datetime:
        clock.set_now(at)
        return at

    def tick(self, at: datetime, *, dispatch=None):
        """Freeze the clock at ``at`` and run one tick there, processing each batch in this process."""
        self.set(at)

        def process(keys):
            result = lifecycle_records_process(keys=keys)
            self.outcomes.update(result)
            return result

        return lifecycle_tick(now=at, dispatch=dispatch or process)


@pytest.fixture
def lifecycle_time():
    """Freeze the clock at noon on the first day of a fresh window, and point the tick's cursor there."""
    start = datetime(2031, 1, 1, 12, 0, tzinfo=UTC) + timedelta(days=WINDOW_DAYS * next(_windows))
    clock.set_now(start)
    lifecycle_cursor_set(day=start.date(), now=start)
    yield LifecycleTime(start=start)
    clock.set_now(None)


def make_enrollment(*, access_period_days: int = 90, certificate_validity_days: int = 365, person=None, course=None):
    """Enroll a fresh person into a fresh course of a postpaid company, at the clock's time."""
    company = make_company(billing="postpaid")
    course = course or make_course(access_period_days=access_period_days, certificate_validity_days=certificate_validity_days)
    return enroll(tenant_id=company.sk, course_id=course.sk, user=person or make_person(), author=STAFF)


def record(enrollment_id: str, event: str) -> LifecycleRecordItem | None:
    return selectors.get_lifecycle_record(enrollment_id, f"schedules#{event}")


def audit_events(enrollment_id: str) -> list[AuditEventItem]:
    return [item for item in MainItem.query(enrollment_id, MainItem.sk.startswith("audit#"), consistent_read=True)
            if isinstance(item, AuditEventItem)]


def audit_actions(enrollment_id: str, *, event: str | None = None) -> list[str]:
    """Return the audit actions of an enrollment, oldest first; with ``event``, only those about that event."""
    return [item.action for item in audit_events(enrollment_id) if event is None or (item.detail or "").startswith(event)]


# An SMTP server in a thread: real sockets, real smtplib on the other side.

@dataclass
class Received:
    to: list[str]
    message: email.message.Message

    @property
    def message_id(self) -> str:
        return "".join(self.message["Message-ID"].split())  # unfolded: long headers arrive folded


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accept mail on 127.0.0.1; refuse some recipients; optionally hold a message unanswered."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.port = self.server_address[1]
        self.accepted: list[Received] = []
        self.unanswered: list[Received] = []
        self.refusals: dict[str, tuple[int, str]] = {}  # address part -> SMTP reply to RCPT
        self.hold = False
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def refusal_for(self, address: str):
        return next((reply for part, reply in self.refusals.items() if part in address), None)

    def accepted_to(self, address: str) -> list[Received]:
        with self.lock:
            return [message for message in self.accepted if address in message.to]


class _SmtpHandler(socketserver.StreamRequestHandler):
    def _reply(self, text: str):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink: SmtpSink = self.server
        self._reply("220 sink ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self._reply("250-sink\r\n250 8BITMIME")
            elif verb in ("HELO", "NOOP"):
                self._reply("250 OK")
            elif verb == "MAIL":
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                address = command.partition(":")[2].strip().strip("<>")
                refusal = sink.refusal_for(address)
                if refusal:
                    self._reply(f"{refusal[0]} {refusal[1]}")
                else:
                    recipients.append(address)
                    self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                received = Received(to=list(recipients), message=email.message_from_bytes(data))
                if sink.hold:
                    # Like a server that took the data and died before answering: the sender cannot know.
                    with sink.lock:
                        sink.unanswered.append(received)
                    sink.held.set()
                    sink.release.wait(120)
                    return
                with sink.lock:
                    sink.accepted.append(received)
                self._reply("250 OK queued")
            elif verb == "RSET":
                recipients = []
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


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


# Real Celery workers, each a subprocess on this run's own queue.

@pytest.fixture(scope="session")
def celery_queue():
    """A queue name of this run's own: runs sharing one Redis never take each other's tasks.

    Afterwards, drop the queue and the unacknowledged messages of killed workers, which kombu would otherwise restore into it later.
    """
    import redis

    queue = f"test-lifecycle-{uuid.uuid4().hex[:10]}"
    yield queue
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue)
    for tag, raw in broker.hgetall("unacked").items():
        if _routing_key(raw) == queue:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


def _routing_key(raw: bytes) -> str | None:
    try:
        return json.loads(raw)[2]
    except (ValueError, IndexError, TypeError):
        return None


def queue_idle(queue: str) -> bool:
    """Return whether ``queue`` holds no message and no worker holds one of it unacknowledged."""
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return broker.llen(queue) == 0 and not any(_routing_key(raw) == queue for raw in broker.hvals("unacked"))


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acknowledgement, like a machine that dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(celery_queue, dynamodb, tmp_path):
    """Return a function that starts a Celery worker subprocess on this run's queue and waits until it is ready."""
    workers: list[Worker] = []

    def start(*, smtp_port: int, **env_overrides) -> Worker:
        name = f"w{len(workers)}-{uuid.uuid4().hex[:6]}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backoffice.settings",
            "DYNAMODB_ENDPOINT": settings.DYNAMODB_ENDPOINT,
            "DYNAMODB_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": celery_queue,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "60",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in env_overrides.items()},
        }
        log = tmp_path / f"{name}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "backoffice", "worker", "-Q", celery_queue, "-n", f"{name}@%h",
            "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                   start_new_session=True)
        worker = Worker(process, log)
        workers.append(worker)
        deadline = time.monotonic() + 60
        while " ready." not in worker.output():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker did not start:\n{worker.output()}")
            time.sleep(0.2)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, *, timeout: float = 60, message: str = "condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.2)
    return result


@dataclass
class ApiCall:
    operation: str
    request: dict
    response: dict


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


def real_now() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "ApiCall", "LifecycleTime", "SmtpSink", "dynamodb_calls", "Worker", "audit_actions", "audit_events", "celery_queue", "lifecycle_time", "make_enrollment", "real_now",
    "queue_idle", "record", "smtp_settings", "smtp_sink", "start_worker", "wait_for",
]
