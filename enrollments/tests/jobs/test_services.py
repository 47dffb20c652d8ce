"""The mechanism every job kind shares (``jobs``): queued once, marked when the queue did not take it, swept every
minute, jobs written before ``queued_at`` existed or by the first release's code still finished."""

import json
import uuid
from collections import Counter

import pytest
from django.conf import settings

from enrollments import clock, selectors
from enrollments.bulk_cancel import selectors as bulk_selectors
from enrollments.bulk_cancel import services as bulk_services
from enrollments.bulk_cancel.kind import BULK_CANCEL
from enrollments.dynamo.models import BulkCancelJobItem, MainItem
from enrollments.exceptions import QueueUnavailable
from enrollments.exports import selectors as export_selectors
from enrollments.exports import services as export_services
from enrollments.exports.kind import EXPORT
from enrollments.imports.kind import IMPORT
from enrollments.jobs import kinds
from enrollments.jobs import services as job_services
from enrollments.jobs.selectors import job_active_ids
from enrollments.jobs.states import DONE
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = pytest.mark.django_db

# The tasks of the first release, by the names their messages and an old beat's schedule carry.
FIRST_NAMES = (
    "enrollments.tasks_imports.import_chunk",
    "enrollments.tasks_imports.imports_resume_stalled",
    "enrollments.bulk.bulk_cancel_chunk",
    "enrollments.bulk.bulk_cancels_resume_stalled",
    "enrollments.reports.export_run",
    "enrollments.reports.exports_sweep",
)


def test_jobs_sweep__every_job_kind__beat_runs_one_sweep_every_minute_and_the_first_names_stay_registered():
    from backoffice.celery import celery_app

    celery_app.loader.import_default_modules()

    entry = settings.CELERY_BEAT_SCHEDULE["jobs-sweep"]
    # A job the queue did not take is queued on the first sweep after the broker answers: within a minute.
    assert entry["task"] == "enrollments.jobs.jobs_sweep" and entry["schedule"] <= 60
    assert {"enrollments.jobs.jobs_sweep", "enrollments.jobs.job_chunk", *FIRST_NAMES} <= set(celery_app.tasks)
    assert {kind.name for kind in kinds.all_kinds()} >= {"import", "bulk_cancel", "export"}


def test_register__a_fourth_kind__found_by_name_and_a_second_kind_of_the_same_name_refused():
    renewal = kinds.JobKind(
        name=f"renewal-{uuid.uuid4().hex[:6]}",
        model=BulkCancelJobItem,
        job_key=lambda job_id: None,
        not_found=LookupError,
        already_started=LookupError,
        progress=dict,
    )

    assert kinds.register(renewal) is renewal and kinds.kind_named(renewal.name) is renewal
    with pytest.raises(ValueError):
        kinds.register(kinds.JobKind(**{**renewal.__dict__, "dom_id": "other"}))
    with pytest.raises(LookupError):
        kinds.kind_named("no-such-kind")


def _without_queued_at(job):
    """Make ``job`` look written before ``queued_at`` existed (or left by an outage): running, nothing recorded."""
    job.update(actions=[type(job).queued_at.remove()])


def _enrollment():
    company, course = make_company(), make_course()
    make_order(company, course, seats=1)
    return enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)


def test_bulk_cancel_resume_stalled__job_written_before_queued_at__queued_on_the_next_sweep(frozen_clock):
    enrollment = _enrollment()
    queued = []
    job = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()),
        enrollment_ids=[enrollment.id],
        reason="Old job",
        author=STAFF,
        enqueue=lambda job_id, numbers: queued.append((job_id, list(numbers))),
    )
    _without_queued_at(job)

    assert job.job_id in job_services.job_resume_stalled(BULK_CANCEL, enqueue=lambda *args: queued.append(args))

    assert queued[0] == (job.job_id, [0]) and (job.job_id, [0]) in queued[1:]
    assert bulk_selectors.bulk_cancel_get(job.job_id).queued_at is not None


def _put_raw(pk: str, sk: str, **attributes) -> None:
    """Write an item as DynamoDB holds it, by its key strings and attribute names, as the first release wrote it."""
    MainItem._get_connection().put_item(pk, sk, attributes=attributes)


def test_job_resume_stalled__bulk_cancel_written_by_the_first_release__the_sweep_runs_it_to_done(frozen_clock):
    enrollment = _enrollment()
    job_id, created = str(uuid.uuid4()), clock.now_iso()
    author = BulkCancelJobItem.author.serialize(STAFF.as_attribute())
    # The first release's keys and attributes: bulk_cancel#<id> / 0, chunk#000000, bulk_cancels#active / <id>.
    _put_raw(
        f"bulk_cancel#{job_id}",
        "0",
        kind={"S": "bulk_cancel_job"},
        created_at={"S": created},
        updated_at={"S": created},
        job_id={"S": job_id},
        author={"M": author},
        reason={"S": "Written before the upgrade"},
        notify_learner={"BOOL": False},
        state={"S": "RUNNING"},
        total={"N": "1"},
        chunks_total={"N": "1"},
        done={"N": "0"},
        chunks_done={"N": "0"},
        canceled={"N": "0"},
        refused={"N": "0"},
    )
    _put_raw(
        f"bulk_cancel#{job_id}",
        "chunk#000000",
        kind={"S": "bulk_cancel_chunk"},
        created_at={"S": created},
        enrollment_ids={"S": json.dumps([enrollment.id])},
    )
    _put_raw("bulk_cancels#active", job_id, kind={"S": "bulk_cancel_active"}, created_at={"S": created})
    ran = Counter()

    def run_here(queued_job_id, numbers):
        for number in numbers:
            ran[number] += 1
            job_services.job_process_chunk(BULK_CANCEL, job_id=queued_job_id, number=number)

    assert job_id in job_active_ids(BULK_CANCEL)
    assert job_services.job_resume_stalled(BULK_CANCEL, enqueue=run_here) == [job_id]

    job = bulk_selectors.bulk_cancel_get(job_id)
    assert (job.state, job.done, job.canceled, job.refused, dict(ran)) == (DONE, 1, 1, 0, {0: 1})
    assert selectors.enrollment_get(enrollment.id).status == "CANCELED"
    assert job_id not in job_active_ids(BULK_CANCEL)
    assert [(row.enrollment_id, row.result, row.message) for row in bulk_selectors.bulk_cancel_results(job_id)] == [
        (enrollment.id, "canceled", "")
    ]


def test_job_process_chunk__import_chunk_written_by_the_first_release__enrolled_and_recorded_once(frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=1)
    job_id, created = str(uuid.uuid4()), clock.now_iso()
    author = BulkCancelJobItem.author.serialize(STAFF.as_attribute())
    courses = {course.id: [course.name, course.access_period_days, course.certificate_validity_days]}
    _put_raw(
        f"import#{job_id}",
        "0",
        kind={"S": "import_job"},
        created_at={"S": created},
        updated_at={"S": created},
        started_at={"S": created},
        queued_at={"S": created},
        job_id={"S": job_id},
        tenant_id={"S": company.id},
        tenant_name={"S": company.name},
        billing={"S": company.billing},
        author={"M": author},
        file_name={"S": "old.csv"},
        file_hash={"S": "0" * 64},
        file_size={"N": "60"},
        encoding={"S": "utf-8"},
        delimiter={"S": ";"},
        courses={"S": json.dumps(courses)},
        state={"S": "RUNNING"},
        rows_total={"N": "1"},
        chunks_total={"N": "1"},
        chunk_rows={"N": "200"},
        rows_done={"N": "0"},
        chunks_done={"N": "0"},
    )
    row = [2, "Ana Antiga", f"ana.{job_id[:8]}@example.com", None, course.id, None, "ok", ""]
    _put_raw(f"import#{job_id}", "chunk#000000", kind={"S": "import_chunk"}, rows={"S": json.dumps([row])})
    _put_raw("imports#active", job_id, kind={"S": "import_active"}, created_at={"S": created})

    assert job_services.job_process_chunk(IMPORT, job_id=job_id, number=0) is True
    assert job_services.job_process_chunk(IMPORT, job_id=job_id, number=0) is False

    job = job_services.job_finish_if_complete(IMPORT, job_id=job_id)
    assert (job.state, job.rows_done, job.enrolled) == (DONE, 1, 1) and job_id not in job_active_ids(IMPORT)


def _export_start(job_id, enqueue):
    return export_services.export_start(
        job_id=job_id,
        source="enrollments",
        params={"tenant_id": "nobody"},
        fmt="csv",
        total=0,
        language="en",
        author=STAFF,
        enqueue=enqueue,
    )


def _queue_down(_job_id, _numbers):
    raise QueueUnavailable("broker down")


def test_exports_sweep__queue_down_at_start__waits_not_queued_then_the_first_sweep_after_it_answers_queues_it_once(
    frozen_clock,
):
    job_id = str(uuid.uuid4())
    queued = []

    def enqueue(queued_job_id, numbers):
        queued.append((queued_job_id, list(numbers)))

    job = _export_start(job_id, _queue_down)

    assert (job.state, job.queued_at) == ("RUNNING", None)
    assert export_selectors.export_progress(job_id)["waiting"] is True
    # Still down: the sweep queues nothing, and the job keeps waiting.
    assert job_id not in job_services.job_resume_stalled(EXPORT, enqueue=_queue_down)
    assert export_selectors.export_job_get(job_id).queued_at is None

    # The queue answers: the next sweep queues it, well before the stall period; the one after does not again.
    assert job_id in job_services.job_resume_stalled(EXPORT, enqueue=enqueue)
    assert job_id not in job_services.job_resume_stalled(EXPORT, enqueue=enqueue)

    # An export's whole file is its chunk 0.
    assert queued.count((job_id, [0])) == 1
    assert export_selectors.export_progress(job_id)["waiting"] is False


def test_exports_sweep__export_written_before_queued_at__queued_on_the_next_sweep(frozen_clock):
    job_id = str(uuid.uuid4())
    queued = []

    def enqueue(queued_job_id, numbers):
        queued.append(queued_job_id)

    job = _export_start(job_id, enqueue)
    _without_queued_at(job)

    assert job_id in job_services.job_resume_stalled(EXPORT, enqueue=enqueue)

    assert queued.count(job_id) == 2 and export_selectors.export_job_get(job_id).queued_at is not None
