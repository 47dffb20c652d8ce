"""The tasks of background jobs on a real worker: messages queued by the first release's task names still run."""

import io
import uuid

import pytest

from backoffice.celery import celery_app
from enrollments import selectors
from enrollments.bulk_cancel import selectors as bulk_selectors
from enrollments.bulk_cancel import services as bulk_services
from enrollments.exports import selectors as export_selectors
from enrollments.exports import services as export_services
from enrollments.imports import selectors as import_selectors
from enrollments.imports import services as import_services
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _dropped(_job_id, _numbers):
    """A queue that took the chunks and lost them: the job is marked queued, nothing runs."""


@pytest.mark.slow
def test_first_task_names__messages_sent_by_them__a_worker_runs_each_kind_to_done(workers):
    company, course = make_company(), make_course()
    make_order(company, course, seats=3)
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    csv = f"nome;email;curso\nAna Velha;ana.{uuid.uuid4().hex[:8]}@example.com;{course.id}\n".encode()
    imported = import_services.import_start(
        file=io.BytesIO(csv), file_name="old.csv", tenant_id=company.id, author=STAFF, enqueue=_dropped
    )
    canceled = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()), enrollment_ids=[enrollment.id], reason="Old message", author=STAFF, enqueue=_dropped
    )
    exported = export_services.export_start(
        job_id=str(uuid.uuid4()),
        source="enrollments",
        params={"tenant_id": f"nobody-{uuid.uuid4().hex[:6]}"},
        fmt="csv",
        total=0,
        language="en",
        author=STAFF,
        enqueue=_dropped,
    )
    workers.start()

    # As the first release queued them: its task names, its arguments.
    celery_app.send_task("enrollments.tasks_imports.import_chunk", (imported.job_id, 0), queue=workers.queue)
    celery_app.send_task("enrollments.bulk.bulk_cancel_chunk", (canceled.job_id, 0), queue=workers.queue)
    celery_app.send_task("enrollments.reports.export_run", (exported.job_id,), queue=workers.queue)

    workers.wait_for(lambda: import_selectors.import_job_get(imported.job_id).state == "DONE")
    workers.wait_for(lambda: bulk_selectors.bulk_cancel_get(canceled.job_id).state == "DONE")
    workers.wait_for(lambda: export_selectors.export_job_get(exported.job_id).state == "DONE")
    assert import_selectors.import_job_get(imported.job_id).enrolled == 1
    assert selectors.enrollment_get(enrollment.id).status == "CANCELED"
    job = export_selectors.export_job_get(exported.job_id)
    assert job.rows_done == 0 and export_services.export_storage().exists(job.file_name)
    export_services.export_storage().delete(job.file_name)


@pytest.mark.slow
def test_first_sweep_name__message_sent_by_it__the_worker_queues_the_stalled_bulk_cancel_which_then_finishes(
    workers,
):
    company, course = make_company(), make_course()
    make_order(company, course, seats=1)
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    job = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()), enrollment_ids=[enrollment.id], reason="Old sweep", author=STAFF, enqueue=_dropped
    )
    workers.start()

    # An old beat's sweep, with no stall period: the job the queue lost is queued again, by the new task's name.
    celery_app.send_task("enrollments.bulk.bulk_cancels_resume_stalled", (0,), queue=workers.queue)

    workers.wait_for(lambda: bulk_selectors.bulk_cancel_get(job.job_id).state == "DONE")
    assert selectors.enrollment_get(enrollment.id).status == "CANCELED"


@pytest.mark.slow
def test_job_chunk__one_chunk_of_200_rows_on_a_worker__progress_json_moves_before_the_chunk_is_recorded(
    workers, settings, client, login
):
    from django.urls import reverse

    from enrollments import permissions
    from enrollments.imports.kind import IMPORT
    from enrollments.jobs.tasks import enqueue_for
    from enrollments.tests.wait_support import wait_for

    rows = 200
    settings.IMPORT_CHUNK_ROWS = rows
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=rows)
    login(permissions.VIEWERS)
    # One row at a time and a short pause between writes: the chunk runs long enough to be seen in flight.
    workers.start(IMPORT_THREADS=1, JOB_PROGRESS_SECONDS=0.2)
    data = "nome;email;curso\n" + "".join(
        f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}\n" for i in range(rows)
    )
    job = import_services.import_start(
        file=io.BytesIO(data.encode()),
        file_name="duzentas.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=enqueue_for(IMPORT),
    )
    url = reverse("admin:import_progress_json", args=[job.job_id])
    assert job.chunks_total == 1

    def moved_or_finished():
        progress = client.get(url).json()
        return (progress["finished"] or 0 < progress["processed"] < rows) and progress

    seen = wait_for(moved_or_finished, timeout=240, every=0.05, message="the import's progress", details=workers.logs)

    assert not seen["finished"] and 0 < seen["processed"] < rows and seen["percent"] == seen["processed"] * 100 // rows
    done = workers.wait_for(lambda: (p := client.get(url).json())["finished"] and p)
    assert (done["state"], done["processed"], done["counts"]["enrolled"]) == ("DONE", rows, rows)
