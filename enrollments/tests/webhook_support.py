"""A real HTTP receiver for webhook tests: a ``http.server`` on 127.0.0.1 in a thread, which keeps every request and
answers the statuses it is told to, then 200. Also the receiver's side of the signature check, as docs/api.md
tells clients to write it."""

import hashlib
import hmac
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from enrollments.dynamo import keys
from enrollments.dynamo.models import MainItem
from enrollments.services import enroll
from enrollments.services.common import Author
from enrollments.services.enrollment_events import EVENT_TYPES
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_person
from enrollments.webhooks.delivery import webhook_event_deliver
from enrollments.webhooks.services import webhook_endpoint_register

SUPERVISOR = Author(id="supervisor-1", name="Supervisor", staff=True)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """Return whether a delivery's signature is the one ``secret`` makes (the receiver's check of docs/api.md)."""
    signed = f"{headers['Webhook-Timestamp']}.".encode() + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["Webhook-Signature"])


class Receiver:
    """An HTTP server that records each POST to its own path and answers ``statuses`` in order, then 200.

    Its path holds a token of its own: an event of an earlier test, posted to a port this receiver got again, is
    answered 404 and not recorded.
    """

    def __init__(self):
        self.path = f"/hooks/{uuid.uuid4().hex[:12]}"
        self.received: list[Received] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if not self.path.startswith(receiver.path):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def of_type(self, event_type: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.json["type"] == event_type]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def register(company, url: str, *, events=None):
    """Register ``company``'s endpoint at ``url`` (every event unless ``events``); return it."""
    return webhook_endpoint_register(company_id=company.id, url=url, events=events or EVENT_TYPES, author=SUPERVISOR)


def webhook_log_company(settings):
    """Return a company with a webhook endpoint and a delivery log of one event that failed (nothing listens on
    port 9), for the walks over every page."""
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_RETRY_SCHEDULE_SECONDS = []  # one try: failed at once
    company, course = make_company(billing="postpaid"), make_course()
    register(company, "http://127.0.0.1:9/hooks")
    person = make_person(name="Lúcia Webhook", cpf=make_cpf())
    enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=None)
    for event in MainItem.query(keys.webhook_events(company.id), consistent_read=True):
        webhook_event_deliver(partition=event.id, sk=event.sk)
    return company
