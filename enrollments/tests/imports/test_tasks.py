"""Imports through real Celery workers (subprocesses on this run's own queue): seats, and a worker killed mid-import."""

import io

import pytest
from django.conf import settings

from enrollments import selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import EnrollmentItem
from enrollments.imports import downloads
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.imports.outcomes import row_enrollment_id
from enrollments.jobs import services as job_services
from enrollments.jobs.states import DONE, RUNNING
from enrollments.jobs.tasks import enqueue_for
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, order_uses

pytestmark = pytest.mark.django_db


def _csv(company, course, count):
    return (
        "nome;email;curso\n" + "".join(f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}\n" for i in range(count))
    ).encode()


def _enrollment_count(company) -> int:
    return sum(EnrollmentItem.by_tenant.count(shard) for shard in keys.tenant_shards(company.id))


def test_imports_tasks__registered_chunks_acks_late_and_beat_sweeps_stalled_imports():
    from backoffice.celery import celery_app
    from enrollments.jobs import tasks

    celery_app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-sweep"]
    assert entry["task"] == tasks.jobs_sweep.name and entry["schedule"] == 60.0
    # The names the first release registered: beat's schedule and queued messages use them.
    assert tasks.import_chunk.name == "enrollments.tasks_imports.import_chunk"
    assert tasks.imports_resume_stalled.name == "enrollments.tasks_imports.imports_resume_stalled"
    assert {tasks.import_chunk.name, tasks.imports_resume_stalled.name} <= set(celery_app.tasks)
    assert tasks.import_chunk.acks_late and tasks.import_chunk.reject_on_worker_lost


@pytest.mark.slow
def test_import_through_workers__prepaid_10_seats_15_rows__10_enrolled_5_no_vacancy_no_seat_lost(workers, settings):
    settings.IMPORT_CHUNK_ROWS = 4
    company, course = make_company(billing="prepaid"), make_course()
    order = make_order(company, course, seats=10)
    workers.start()

    job = import_services.import_start(
        file=io.BytesIO(_csv(company, course, 15)),
        file_name="seats.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=enqueue_for(IMPORT),
    )
    job = workers.wait_for(lambda: (j := import_selectors.import_job_get(job.job_id)).state == DONE and j)

    assert (job.enrolled, job.no_vacancy_left, job.rows_done, job.failed) == (10, 5, 15, 0)
    results = [row[3] for row in downloads.import_report_rows(job.job_id)]
    assert sorted(results) == ["enrolled"] * 10 + ["no_vacancy_left"] * 5
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    generated = order_uses(order)
    assert len(generated) == 10 and {g.status for g in generated} == {"USED"}
    assert _enrollment_count(company) == 10


@pytest.mark.slow
def test_import_through_workers__worker_killed_mid_import__resumes_and_enrolls_each_row_once(workers, settings):
    rows = 2000
    settings.IMPORT_CHUNK_ROWS = 50
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=rows)
    first = workers.start()

    job = import_services.import_start(
        file=io.BytesIO(_csv(company, course, rows)),
        file_name="big.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=enqueue_for(IMPORT),
    )

    def rows_in_flight():
        done = import_selectors.import_job_get(job.job_id).rows_done
        # Kill while chunks are half-done: enrollments written whose chunk is not recorded yet.
        return done >= 200 and _enrollment_count(company) > done + 10

    workers.wait_for(rows_in_flight, every=0.05)
    workers.kill(first)
    at_kill = import_selectors.import_job_get(job.job_id)
    # The worker may record a chunk between the check above and the kill: the import must still be unfinished.
    assert at_kill.state == RUNNING and at_kill.rows_done < rows

    workers.start()
    # What beat's sweep does for an import without progress, here without waiting for the stall period.
    assert job_services.job_resume_now(IMPORT, job_id=job.job_id, enqueue=enqueue_for(IMPORT)) > 0
    job = workers.wait_for(lambda: (j := import_selectors.import_job_get(job.job_id)).state == DONE and j)

    assert (job.rows_total, job.rows_done, job.enrolled, job.chunks_done) == (rows, rows, rows, rows // 50)
    assert (job.already_enrolled, job.no_vacancy_left, job.invalid, job.duplicates, job.failed) == (0, 0, 0, 0, 0)
    report = list(downloads.import_report_rows(job.job_id))
    assert [row[0] for row in report] == list(range(2, rows + 2))
    assert {row[3] for row in report} == {"enrolled"}
    assert [row[4] for row in report] == [row_enrollment_id(job.job_id, line) for line in range(2, rows + 2)]
    enrollments = list(selectors.company_enrollments(company.id))
    assert len(enrollments) == rows
    assert sorted(e.user.email for e in enrollments) == sorted(f"p{i}.{company.id}@example.com" for i in range(rows))
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
