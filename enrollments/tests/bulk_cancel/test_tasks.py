"""Bulk cancels through real Celery workers (subprocesses on a queue of the test's own)."""

import io
import uuid

import pytest

from enrollments import selectors
from enrollments.bulk_cancel import selectors as bulk_selectors
from enrollments.bulk_cancel import services
from enrollments.bulk_cancel.kind import BULK_CANCEL
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.jobs import tasks as job_tasks
from enrollments.jobs.tasks import enqueue_for
from enrollments.tests.factories import STAFF, make_company, make_course, make_order

pytestmark = pytest.mark.django_db


def test_bulk_cancel_tasks__registered_acks_late_and_beat_sweeps_stalled_ones(settings):
    from backoffice.celery import celery_app

    celery_app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-sweep"]
    assert entry["task"] == job_tasks.jobs_sweep.name and entry["schedule"] == 60.0
    assert {job_tasks.bulk_cancel_chunk.name, job_tasks.bulk_cancels_resume_stalled.name} <= set(celery_app.tasks)
    assert job_tasks.bulk_cancel_chunk.acks_late and job_tasks.bulk_cancel_chunk.reject_on_worker_lost


@pytest.mark.slow
def test_two_bulk_cancels_of_one_import_at_once__each_enrollment_canceled_once(workers, settings):
    settings.ENROLL_SEAT_ATTEMPTS = 8
    company, course = make_company(), make_course()
    make_order(company, course, seats=30)
    rows = "".join(f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}\n" for i in range(30))
    job = import_services.import_start(
        file=io.BytesIO(("nome;email;curso\n" + rows).encode()),
        file_name="wrong-company.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=None,
    )
    job_services.job_run_inline(IMPORT, job_id=job.job_id)
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    ids = bulk_selectors.import_enrollment_ids(job.job_id)
    workers.start()
    workers.start()

    runs = [
        services.bulk_cancel_start(
            job_id=str(uuid.uuid4()),
            enrollment_ids=ids,
            reason=f"Run {n}",
            author=STAFF,
            import_id=job.job_id,
            enqueue=enqueue_for(BULK_CANCEL),
        )
        for n in range(2)
    ]
    done = [
        workers.wait_for(lambda run=run: (j := bulk_selectors.bulk_cancel_get(run.job_id)).state == "DONE" and j)
        for run in runs
    ]

    assert sum(run.canceled for run in done) == 30 and sum(run.refused for run in done) == 30
    for enrollment_id in ids:
        partition = selectors.enrollment_partition(enrollment_id)
        assert partition.enrollment.status == "CANCELED"
        assert [event.action for event in partition.audit].count("CANCELED") == 1
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 30
