"""What the lifecycle tests share: a time window of their own, a tick, an SMTP sink, real Celery workers.

The fixtures built on them are in ``enrollments/tests/conftest.py``.
"""

import email
import itertools
import socketserver
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from enrollments import clock, selectors
from enrollments.dynamo.models import AuditEventItem, LifecycleRecordItem
from enrollments.services import enroll, lifecycle_records_process, lifecycle_tick
from enrollments.tests.factories import STAFF, make_company, make_course, make_person

ROOT = Path(__file__).resolve().parents[2]

# Every test gets a stretch of days no other test uses: the `due` index is shared by the whole session.
_windows = itertools.count()
WINDOW_DAYS = 1500


def next_window() -> int:
    """Return the number of a window of days no other test of this run has had."""
    return next(_windows)


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


def make_enrollment(
    *, access_period_days: int = 90, certificate_validity_days: int = 365, person=None, course=None, welcome=True
):
    """Enroll a fresh person into a fresh course of a postpaid company, at the clock's time; without ``welcome``, the
    no-access reminder is its earliest record, the one in the ``due`` index."""
    company = make_company(billing="postpaid")
    course = course or make_course(
        access_period_days=access_period_days, certificate_validity_days=certificate_validity_days
    )
    return enroll(
        tenant_id=company.id, course_id=course.id, user=person or make_person(), author=STAFF, welcome=welcome
    )


def record(enrollment_id: str, event: str) -> LifecycleRecordItem | None:
    return selectors.lifecycle_record_find(enrollment_id, event)


def audit_events(enrollment_id: str) -> list[AuditEventItem]:
    """Return the enrollment's audit trail as its page shows it, oldest first: the stored events and the
    ``ENROLLED`` one made from the enrollment."""
    return selectors.enrollment_partition(enrollment_id).audit


def audit_actions(enrollment_id: str, *, event: str | None = None) -> list[str]:
    """Return the audit actions of an enrollment, oldest first; with ``event``, only those about that event."""
    return [
        item.action for item in audit_events(enrollment_id) if event is None or (item.detail or "").startswith(event)
    ]


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


@dataclass
class ApiCall:
    operation: str
    request: dict
    response: dict


def real_now() -> datetime:
    return datetime.now(UTC)
