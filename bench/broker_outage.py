"""Benchmark: how long after a broker outage each job kind (import, bulk cancel, export) resumes.

The broker is Redis behind a TCP proxy (``bench/latency_proxy.py``, no latency added) that this script stops and
starts again: an outage for everyone, the web side, the worker and beat alike. A Celery worker with an embedded
beat (``-B``, the production schedule: every sweep each minute) runs on queues of this run's own. With the broker
down, an import, a bulk cancel and an export are started through their services, as the pages start them: none
is queued (each job waits without ``queued_at``). After ``--outage`` seconds the proxy comes back; the script
measures, for each kind, the seconds from the broker's return to the job DONE.

    .venv/bin/python bench/broker_outage.py                 # 20 s outage, 40 rows per job
    .venv/bin/python bench/broker_outage.py --outage 60 --rows 200

A job resumes when it is queued again (``queued_at`` set); it is done once a worker wrote its last chunk or file.
The last line: ``after a broker outage, queued again: import <a> s (done <d> s), bulk cancel ..., export ...;
slowest / 60 s = <r>`` (the target is a ratio <= 1: every kind resumes within a minute of the broker's return).
Where the broker's return falls in beat's minute decides how long a job waits: each run is one sample.
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _setup import add_rtt_option, start_stack  # noqa: E402

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outage", type=float, default=20.0, help="seconds the broker stays down (default 20)")
    parser.add_argument("--rows", type=int, default=40, help="rows of the import and enrollments canceled (default 40)")
    parser.add_argument("--redis", default="127.0.0.1:6379", help="the real broker, host:port (default 127.0.0.1:6379)")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up waiting for a job after this (seconds)")
    add_rtt_option(parser)
    args = parser.parse_args()

    token = uuid.uuid4().hex[:8]
    port = _free_port()
    queue = f"bench-outage-{token}"
    os.environ.update(
        {
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "IMPORTS_QUEUE": queue,
            "EXPORT_DIR": tempfile.mkdtemp(prefix="bench-outage-exports-"),
            # The welcome and cancel emails of the jobs' rows: kept in memory, not printed.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    proxy = _proxy(args.redis, port)
    stack = start_stack(rtt_ms=args.rtt_ms)
    workdir = tempfile.mkdtemp(prefix="bench-outage-")
    worker = None
    try:
        jobs = _Jobs(args.rows)
        worker = _start_worker(queue, workdir)
        print(f"broker down for {args.outage:g} s; jobs started meanwhile", flush=True)
        _stop(proxy)
        started = jobs.start()
        waiting = [kind for kind, job in started.items() if not job.queued_at]
        print(f"not queued while the broker was down: {', '.join(waiting) or 'none'}", flush=True)
        time.sleep(max(0.0, args.outage - 2))
        proxy = _proxy(args.redis, port)
        back = time.monotonic()
        print("broker back", flush=True)
        seconds = jobs.wait_done(back, timeout=args.timeout, worker_log=Path(workdir) / "worker.log")
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        _stop(proxy)
        _drop_queue(args.redis, queue)
        stack.terminate()
    for kind, value in seconds.items():
        print(
            f"{kind}: queued again {jobs.queued[kind]:.1f} s, DONE {value:.1f} s after the broker's return", flush=True
        )
    slowest = max(jobs.queued.values())
    print(
        "after a broker outage, queued again: "
        + ", ".join(f"{kind} {jobs.queued[kind]:.0f} s (done {value:.0f} s)" for kind, value in seconds.items())
        + f"; slowest / {TARGET_SECONDS:.0f} s = {slowest / TARGET_SECONDS:.2f}",
        flush=True,
    )


class _Jobs:
    """One job of each kind over data of its own, started while the broker is down."""

    def __init__(self, rows: int):
        from enrollments.services import Author, Person, company_create, course_create, enroll, order_create

        self.author = Author(id="1", name="Bench", email="bench@example.com")
        self.rows = rows
        self.company = company_create(name=f"Outage {uuid.uuid4().hex[:6]}", billing="prepaid")
        self.course = course_create(name="Outage course", access_period_days=90, certificate_validity_days=365)
        order_create(tenant_id=self.company.id, course_id=self.course.id, seats=2 * rows, author=self.author)
        self.enrollment_ids = [
            enroll(
                tenant_id=self.company.id,
                course_id=self.course.id,
                user=Person(name=f"Cancel {n}", email=f"cancel{n}.{self.company.id}@example.com"),
                author=self.author,
            ).id
            for n in range(rows)
        ]

    def start(self) -> dict:
        from enrollments.bulk_cancel import services as bulk_services
        from enrollments.bulk_cancel.kind import BULK_CANCEL
        from enrollments.exports import services as export_services
        from enrollments.exports.kind import EXPORT
        from enrollments.imports import services as import_services
        from enrollments.imports.kind import IMPORT
        from enrollments.jobs.tasks import enqueue_for

        csv = "nome;email;curso\n" + "".join(
            f"Import {n};import{n}.{self.company.id}@example.com;{self.course.id}\n" for n in range(self.rows)
        )
        self.jobs = {
            "import": import_services.import_start(
                file=io.BytesIO(csv.encode()),
                file_name="outage.csv",
                tenant_id=self.company.id,
                author=self.author,
                enqueue=enqueue_for(IMPORT),
            ),
            "bulk cancel": bulk_services.bulk_cancel_start(
                job_id=str(uuid.uuid4()),
                enrollment_ids=self.enrollment_ids,
                reason="Broker outage bench",
                author=self.author,
                enqueue=enqueue_for(BULK_CANCEL),
            ),
            "export": export_services.export_start(
                job_id=str(uuid.uuid4()),
                source="enrollments",
                params={"tenant_id": self.company.id},
                fmt="csv",
                total=0,
                language="en",
                author=self.author,
                enqueue=enqueue_for(EXPORT),
            ),
        }
        return self.jobs

    def wait_done(self, since: float, *, timeout: float, worker_log: Path) -> dict:
        from enrollments.bulk_cancel.selectors import bulk_cancel_get
        from enrollments.exports.selectors import export_job_get
        from enrollments.imports.selectors import import_job_get

        read = {"import": import_job_get, "bulk cancel": bulk_cancel_get, "export": export_job_get}
        seconds, queued = {}, {}
        while len(seconds) < len(self.jobs):
            for kind, job in self.jobs.items():
                if kind in seconds:
                    continue
                found = read[kind](job.job_id)
                if found.state not in ("RUNNING", "DONE"):
                    raise SystemExit(
                        f"the {kind} ended {found.state}:\n" + worker_log.read_text(errors="replace")[-3000:]
                    )
                if kind not in queued and (found.queued_at or found.state == "DONE"):
                    queued[kind] = time.monotonic() - since
                if found.state == "DONE":
                    seconds[kind] = time.monotonic() - since
            if time.monotonic() - since > timeout:
                raise SystemExit(
                    f"jobs not done after {timeout:g} s: {set(self.jobs) - set(seconds)}\n"
                    + worker_log.read_text(errors="replace")[-3000:]
                )
            time.sleep(0.2)
        self.queued = queued
        return seconds


def _free_port() -> int:
    from scripts.dynamodb_local import free_port

    return free_port()


def _proxy(target: str, port: int) -> subprocess.Popen:
    """Start the TCP proxy to the real broker on ``port``; return it once it listens."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "latency_proxy.py"),
            "--target",
            target,
            "--rtt-ms",
            "0",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    if not process.stdout.readline().startswith("listening on "):
        process.kill()
        raise RuntimeError("the broker's proxy did not start")
    return process


def _stop(proxy: subprocess.Popen) -> None:
    """Stop the proxy: its connections close and new ones are refused, as with a broker that went away."""
    if proxy.poll() is None:
        proxy.terminate()
        proxy.wait(timeout=30)


def _start_worker(queue: str, workdir: str) -> subprocess.Popen:
    log = Path(workdir) / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backoffice",
            "worker",
            "-B",
            "-s",
            str(Path(workdir) / "beat-schedule"),
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while " ready." not in log.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return worker


def _drop_queue(redis_address: str, queue: str) -> None:
    import redis

    host, port = redis_address.rsplit(":", 1)
    redis.Redis(host=host, port=int(port)).delete(queue)


if __name__ == "__main__":
    main()
