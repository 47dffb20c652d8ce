"""The compliance digest's tasks: beat's tick registered, and real Celery workers sending the digests it hands out."""

import pytest
from django.conf import settings

from backoffice.celery import celery_app
from enrollments import clock, rules
from enrollments.digests import selectors, services, tasks
from enrollments.exceptions import StorageUnavailable
from enrollments.tests.celery_support import queue_idle
from enrollments.tests.digest_support import add_contact, local, turn_digest_on
from enrollments.tests.factories import STAFF, make_company
from enrollments.tests.wait_support import wait_for
from scripts.dynamodb_local import free_port

# Tables of its own: the workers' digests, and a tick that reads every company of the table.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_tables")]

MONDAY_9 = local(2026, 11, 30, 9, 0)


def test_beat_schedule__digests_tick_every_configured_interval_and_the_send_task_guarded():
    entry = settings.CELERY_BEAT_SCHEDULE["digests-tick"]

    assert entry["task"] == "enrollments.digests.digests_tick" and entry["schedule"] == settings.DIGEST_TICK_SECONDS
    assert entry["options"]["expires"] == settings.DIGEST_TICK_SECONDS
    assert {"enrollments.digests.digests_tick", "enrollments.digests.digest_send"} <= set(celery_app.tasks)
    assert tasks.digest_send.acks_late and tasks.digest_send.autoretry_for == (StorageUnavailable,)
    assert tasks.digest_send.retry_jitter is False


@pytest.mark.slow
def test_workers__two_beat_ticks_in_the_period__two_workers_send_each_contact_the_digest_once(
    smtp_sink, start_worker, celery_queue, settings
):
    settings.CELERY_TASK_DEFAULT_QUEUE = celery_queue
    company = make_company()
    contacts = [add_contact(company, language="pt-br"), add_contact(company, language="en")]
    with clock.frozen(local(2026, 11, 25, 10)):
        turn_digest_on(company)
    workers = [start_worker(smtp_port=smtp_sink.port) for _ in range(2)]

    # Beat's task, run twice in the period (its body: the workers' clocks are real, this one is frozen).
    with clock.frozen(MONDAY_9):
        tasks.digests_tick()
        tasks.digests_tick()

    wait_for(
        lambda: selectors.digest_find(company.id, "2026-W49").state == rules.RECORD_SENT and queue_idle(celery_queue),
        message="the digest to be sent",
        details=lambda: "\n".join(worker.output() for worker in workers),
        timeout=90,
    )
    for contact in contacts:
        [mail] = smtp_sink.accepted_to(contact.email)
        assert mail.message["X-Compliance-Digest"] == "2026-W49"
        assert mail.message["Content-Language"] == contact.language
    assert [digest.period for digest in selectors.digest_list(company.id)] == ["2026-W49"]


@pytest.mark.slow
def test_worker__mail_server_refuses_connections__digest_failed_after_its_attempts_and_listed(
    start_worker, celery_queue, settings
):
    settings.CELERY_TASK_DEFAULT_QUEUE = celery_queue
    company = make_company()
    add_contact(company)
    worker = start_worker(smtp_port=free_port(), LIFECYCLE_MAX_ATTEMPTS=1, EMAIL_TIMEOUT=5)
    with clock.frozen(MONDAY_9):
        digest = services.digest_send_now(
            company_id=company.id, token="7d7e0c1a-1f2b-4c3d-8e9f-0a1b2c3d4e5f", author=STAFF
        )
    tasks.enqueue_digest(company.id, digest.period)

    wait_for(
        lambda: selectors.digest_failure_list(company_id=company.id),
        message="the digest to fail",
        details=worker.output,
        timeout=90,
    )
    [failure] = selectors.digest_failure_list(company_id=company.id)
    assert failure.period == digest.period and failure.attempts == 1
    assert "ConnectionRefusedError" in failure.last_error
    assert selectors.digest_find(company.id, digest.period).state == rules.RECORD_FAILED
