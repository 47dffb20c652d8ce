"""The mechanism every job kind shares (``services.jobs``): queued once, marked when the queue did not take it,
swept every minute, and jobs written before ``queued_at`` existed still resumed."""

import uuid

import pytest
from django.conf import settings

from enrollments.bulk import selectors as bulk_selectors
from enrollments.bulk import services as bulk_services
from enrollments.exceptions import QueueUnavailable
from enrollments.reports import selectors as export_selectors
from enrollments.reports import services as export_services
from enrollments.services import enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = pytest.mark.django_db

# Beat's entries and the tasks they name, as first registered: messages already queued and running beats use them.
SWEEPS = {
    "imports-resume-stalled": "enrollments.tasks_imports.imports_resume_stalled",
    "bulk-cancels-resume-stalled": "enrollments.bulk.bulk_cancels_resume_stalled",
    "exports-sweep": "enrollments.reports.exports_sweep",
}


def test_job_sweeps__every_job_kind__beat_runs_its_sweep_every_minute_under_its_first_name():
    from backoffice.celery import celery_app

    celery_app.loader.import_default_modules()

    for entry, task in SWEEPS.items():
        assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] == task and task in celery_app.tasks
        # A job the queue did not take is queued on the first sweep after the broker answers: within a minute.
        assert settings.CELERY_BEAT_SCHEDULE[entry]["schedule"] <= 60


def _without_queued_at(job):
    """Make ``job`` look written before ``queued_at`` existed (or left by an outage): running, nothing recorded."""
    job.update(actions=[type(job).queued_at.remove()])


def test_bulk_cancel_resume_stalled__job_written_before_queued_at__queued_on_the_next_sweep(frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=1)
    enrollment = enroll(tenant_id=company.sk, course_id=course.sk, user=make_person(), author=STAFF)
    queued = []
    job = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()),
        enrollment_ids=[enrollment.id],
        reason="Old job",
        author=STAFF,
        enqueue=lambda job_id, numbers: queued.append((job_id, list(numbers))),
    )
    _without_queued_at(job)

    assert job.job_id in bulk_services.bulk_cancel_resume_stalled(enqueue=lambda *args: queued.append(args))

    assert queued[0] == (job.job_id, [0]) and (job.job_id, [0]) in queued[1:]
    assert bulk_selectors.bulk_cancel_get(job.job_id).queued_at is not None


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


def _queue_down(_job_id):
    raise QueueUnavailable("broker down")


def test_exports_sweep__queue_down_at_start__waits_not_queued_then_the_first_sweep_after_it_answers_queues_it_once(
    frozen_clock,
):
    job_id = str(uuid.uuid4())
    queued = []

    job = _export_start(job_id, _queue_down)

    assert (job.state, job.queued_at) == ("RUNNING", None)
    assert export_selectors.export_progress(job_id)["waiting"] is True
    # Still down: the sweep queues nothing, and the job keeps waiting.
    assert job_id not in export_services.exports_sweep(enqueue=_queue_down)[1]
    assert export_selectors.export_job_get(job_id).queued_at is None

    # The queue answers: the next sweep queues it, well before the stall period; the one after does not again.
    assert job_id in export_services.exports_sweep(enqueue=queued.append)[1]
    assert job_id not in export_services.exports_sweep(enqueue=queued.append)[1]

    assert queued.count(job_id) == 1
    assert export_selectors.export_progress(job_id)["waiting"] is False


def test_exports_sweep__export_written_before_queued_at__queued_on_the_next_sweep(frozen_clock):
    job_id = str(uuid.uuid4())
    queued = []
    job = _export_start(job_id, queued.append)
    _without_queued_at(job)

    assert job_id in export_services.exports_sweep(enqueue=queued.append)[1]

    assert queued.count(job_id) == 2 and export_selectors.export_job_get(job_id).queued_at is not None
