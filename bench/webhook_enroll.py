"""What webhooks cost an enrollment, and how fast their events go out.

    python bench/webhook_enroll.py [--n 1000] [--threads 8] [--rtt-ms 10]

After a warm-up, enrolls ``n`` people from 8 threads into a postpaid company without a webhook endpoint, then ``n`` into one with an
endpoint (each enrollment then writes its ``enrollment.created`` event in its own transaction), counting the reads
of the endpoint; then beat's tick hands the events out and ``threads`` threads deliver them, in this process, to a
real HTTP receiver on 127.0.0.1. Last line:
``webhooks: with an endpoint <x>% of the rows/s without; endpoint reads per enrollment without one <r>;
<n> events delivered at <d>/s, received twice <k>``.
"""

import argparse
import os
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _setup import add_rtt_option, start_stack


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    add_rtt_option(parser)
    args = parser.parse_args()
    os.environ["WEBHOOK_ALLOW_PRIVATE_HOSTS"] = "true"  # the receiver is on 127.0.0.1
    stack = start_stack(rtt_ms=args.rtt_ms)
    try:
        run(args.n, args.threads)
    finally:
        stack.terminate()


class Receiver:
    """Counts each event id it is posted, answers 200."""

    def __init__(self):
        self.ids = Counter()
        lock = threading.Lock()
        ids = self.ids

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    ids[self.headers["Webhook-Id"]] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"


def run(n: int, threads: int):
    from pynamodb.connection.base import Connection

    from enrollments import clock
    from enrollments.dynamo import keys
    from enrollments.services import Author, Person, company_create, course_create, enroll
    from enrollments.services.enrollment_events import EVENT_TYPES
    from enrollments.webhooks import delivery
    from enrollments.webhooks.services import webhook_endpoint_register

    author = Author(id="bench", name="Bench")
    course = course_create(name="Bench course", access_period_days=365, certificate_validity_days=730)
    reads = Counter()
    original = Connection._make_api_call

    def counting(self, operation, kwargs):
        if operation == "GetItem" and kwargs.get("Key", {}).get("id") == {"S": keys.WEBHOOKS}:
            reads["endpoint"] += 1
        return original(self, operation, kwargs)

    Connection._make_api_call = counting

    def enroll_all(company) -> float:
        def one(_):
            token = uuid.uuid4().hex[:12]
            enroll(
                tenant_id=company.id,
                course_id=course.id,
                user=Person(name=f"P {token}", email=f"p{token}@example.com"),
                author=author,
                deduplication_window_days=None,
            )

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(n)))
        return n / (time.perf_counter() - started)

    # Warm up (connections, the emulator's JIT) on a company of its own, so neither measured run pays for it.
    enroll_all(company_create(name=f"Warm-up {uuid.uuid4().hex[:6]}", billing="postpaid"))
    reads.clear()
    without = company_create(name=f"Bench {uuid.uuid4().hex[:6]}", billing="postpaid")
    rate_without = enroll_all(without)
    reads_without = reads["endpoint"]
    print(f"without an endpoint: {n} enrollments at {rate_without:.1f}/s, {reads_without} endpoint reads", flush=True)

    receiver = Receiver()
    hooked = company_create(name=f"Bench {uuid.uuid4().hex[:6]}", billing="postpaid")
    webhook_endpoint_register(company_id=hooked.id, url=receiver.url, events=EVENT_TYPES, author=author)
    rate_with = enroll_all(hooked)
    print(f"with an endpoint: {n} enrollments at {rate_with:.1f}/s (each writes its event)", flush=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        while sum(receiver.ids.values()) < n and time.perf_counter() - started < 600:
            batches = []
            delivery.webhooks_tick(now=clock.now(), dispatch=batches.append)
            list(pool.map(lambda batch: delivery.webhook_events_deliver(keys=batch), batches))
    elapsed = time.perf_counter() - started
    delivered = len(receiver.ids)
    twice = sum(1 for count in receiver.ids.values() if count > 1)
    print(f"delivered: {delivered} events in {elapsed:.1f} s", flush=True)
    print(
        f"webhooks: with an endpoint {100 * rate_with / rate_without:.0f}% of the rows/s without; endpoint reads per "
        f"enrollment without one {reads_without / n:.3f}; {delivered} events delivered at {delivered / elapsed:.1f}/s, "
        f"received twice {twice}"
    )
    receiver.server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
