"""Imports through real Celery workers (subprocesses on this run's own queue): seats, and a worker killed mid-import."""

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from enrollments import selectors, selectors_imports
from enrollments.dynamo.models import EnrollmentItem, GeneratedItem, OrderTableItem
from enrollments.imports import api
from enrollments.imports.jobs import row_enrollment_id
from enrollments.services import imports
from enrollments.tests.factories import STAFF, make_company, make_course, make_order

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


class Workers:
    """Start Celery workers on one queue of this test alone; kill them by process group; clean the queue up."""

    def __init__(self, tmp_path):
        self.queue = f"test-imports-{uuid.uuid4().hex}"
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings",
            "DYNAMODB_ENDPOINT": settings.DYNAMODB_ENDPOINT, "DYNAMODB_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
            "IMPORTS_QUEUE": self.queue, "IMPORT_THREADS": "4", "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }
        log = open(self.tmp_path / f"worker-{len(self.processes)}.log", "wb")
        command = [sys.executable, "-m", "celery", "-A", "backoffice", "worker", "-Q", self.queue, "--concurrency", "2",
                   "-n", f"{self.queue}-{len(self.processes)}@%h", "--without-gossip", "--without-mingle",
                   "--without-heartbeat", "--loglevel", "WARNING"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children (its own process group)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        client.delete(self.queue)
        # Messages a killed worker held stay in kombu's shared "unacked" hash: remove this queue's own.
        for tag, raw in client.hgetall("unacked").items():
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError):
                continue
            if routing_key == self.queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.tmp_path.glob("worker-*.log")))


@pytest.fixture
def workers(tmp_path, settings):
    """Celery workers on a queue of this test alone, which imports (and the live server's confirmations) queue to."""
    pool = Workers(tmp_path)
    settings.IMPORTS_QUEUE = pool.queue
    yield pool
    pool.stop_all()


def _wait(condition, workers, timeout=240.0, every=0.3):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting; worker logs:\n{workers.logs()}")
        time.sleep(every)


def _csv(company, course, count):
    return ("nome;email;curso\n" + "".join(f"Pessoa {i};p{i}.{company.sk}@example.com;{course.sk}\n" for i in range(count))).encode()


def _enrollment_count(company) -> int:
    return EnrollmentItem.by_tenant.count(company.sk)


def test_imports_tasks__registered_chunks_acks_late_and_beat_sweeps_stalled_imports():
    from backoffice.celery import celery_app
    from enrollments import tasks_imports

    entry = settings.CELERY_BEAT_SCHEDULE["imports-resume-stalled"]
    assert entry["task"] == tasks_imports.imports_resume_stalled.name and entry["schedule"] == 60.0
    assert {tasks_imports.import_chunk.name, tasks_imports.imports_resume_stalled.name} <= set(celery_app.tasks)
    assert tasks_imports.import_chunk.acks_late and tasks_imports.import_chunk.reject_on_worker_lost


@pytest.mark.slow
def test_import_through_workers__prepaid_10_seats_15_rows__10_enrolled_5_no_vacancy_no_seat_lost(workers, settings):
    settings.IMPORT_CHUNK_ROWS = 4
    company, course = make_company(billing="prepaid"), make_course()
    order = make_order(company, course, seats=10)
    workers.start()

    job = api.import_start(file=io.BytesIO(_csv(company, course, 15)), file_name="seats.csv", tenant_id=company.sk, author=STAFF)
    job = _wait(lambda: (j := selectors_imports.get_import_job(job.job_id)).state == api.DONE and j, workers)

    assert (job.enrolled, job.no_vacancy_left, job.rows_done, job.failed) == (10, 5, 15, 0)
    results = [row[3] for row in api.import_report_rows(job.job_id)]
    assert sorted(results) == ["enrolled"] * 10 + ["no_vacancy_left"] * 5
    assert selectors.seats_left(tenant_id=company.sk, course_id=course.sk) == 0
    generated = [item for item in OrderTableItem.query(order.order_id) if isinstance(item, GeneratedItem)]
    assert len(generated) == 10 and {g.status for g in generated} == {"USED"}
    assert _enrollment_count(company) == 10


@pytest.mark.slow
def test_import_through_workers__worker_killed_mid_import__resumes_and_enrolls_each_row_once(workers, settings):
    rows = 2000
    settings.IMPORT_CHUNK_ROWS = 50
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=rows)
    first = workers.start()

    job = api.import_start(file=io.BytesIO(_csv(company, course, rows)), file_name="big.csv", tenant_id=company.sk, author=STAFF)

    def rows_in_flight():
        done = selectors_imports.get_import_job(job.job_id).rows_done
        # Kill while chunks are half-done: enrollments written whose chunk is not recorded yet.
        return done >= 200 and _enrollment_count(company) > done + 10

    _wait(rows_in_flight, workers, every=0.05)
    workers.kill(first)
    at_kill = selectors_imports.get_import_job(job.job_id)
    # The worker may record a chunk between the check above and the kill: the import must still be unfinished.
    assert at_kill.state == api.RUNNING and at_kill.rows_done < rows

    workers.start()
    # What beat's sweep does for an import without progress, here without waiting for the stall period.
    assert imports.import_resume(job_id=job.job_id) > 0
    job = _wait(lambda: (j := selectors_imports.get_import_job(job.job_id)).state == api.DONE and j, workers)

    assert (job.rows_total, job.rows_done, job.enrolled, job.chunks_done) == (rows, rows, rows, rows // 50)
    assert (job.already_enrolled, job.no_vacancy_left, job.invalid, job.duplicates, job.failed) == (0, 0, 0, 0, 0)
    report = list(api.import_report_rows(job.job_id))
    assert [row[0] for row in report] == list(range(2, rows + 2))
    assert {row[3] for row in report} == {"enrolled"}
    assert [row[4] for row in report] == [row_enrollment_id(job.job_id, line) for line in range(2, rows + 2)]
    enrollments = list(EnrollmentItem.by_tenant.query(company.sk))
    assert len(enrollments) == rows
    assert sorted(e.user.email for e in enrollments) == sorted(f"p{i}.{company.sk}@example.com" for i in range(rows))
    assert selectors.seats_left(tenant_id=company.sk, course_id=course.sk) == 0
