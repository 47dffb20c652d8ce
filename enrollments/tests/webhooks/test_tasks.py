"""Webhooks with real Celery workers and a real HTTP receiver: beat's tick registered, the events it hands out
posted by a worker, signed; a refusal retried by the worker and delivered with the same id."""

import pytest
from django.conf import settings

from backoffice.celery import celery_app
from enrollments import clock, rules
from enrollments.dynamo import keys
from enrollments.dynamo.models import MainItem
from enrollments.exceptions import StorageUnavailable
from enrollments.services import cancel, enroll
from enrollments.services.enrollment_events import ENROLLMENT_CANCELED, ENROLLMENT_CREATED
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_person
from enrollments.tests.wait_support import wait_for
from enrollments.tests.webhook_support import register, verify
from enrollments.webhooks import delivery, tasks

# Tables of their own: the tick reads the whole webhook_due index.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_tables")]


def test_beat_schedule__webhooks_tick_every_configured_interval_and_the_delivery_task_guarded():
    entry = settings.CELERY_BEAT_SCHEDULE["webhooks-tick"]

    assert entry["task"] == "enrollments.webhooks.webhooks_tick" and entry["schedule"] == settings.WEBHOOK_TICK_SECONDS
    assert entry["options"]["expires"] == settings.WEBHOOK_TICK_SECONDS
    assert {"enrollments.webhooks.webhooks_tick", "enrollments.webhooks.webhook_deliver"} <= set(celery_app.tasks)
    assert tasks.webhook_deliver.acks_late and tasks.webhook_deliver.autoretry_for == (StorageUnavailable,)


def _events(company):
    return list(MainItem.query(keys.webhook_events(company.id), consistent_read=True))


@pytest.mark.slow
def test_worker__enroll_and_cancel__receiver_gets_both_signed_a_500_retried_once_with_the_same_id(
    start_worker, celery_queue, settings, webhook_receiver
):
    settings.CELERY_TASK_DEFAULT_QUEUE = celery_queue
    company, course = make_company(billing="postpaid"), make_course()
    endpoint = register(company, webhook_receiver.url)
    worker = start_worker(WEBHOOK_ALLOW_PRIVATE_HOSTS="true", WEBHOOK_RETRY_SCHEDULE_SECONDS="1,1,1")
    webhook_receiver.statuses = [500]
    enrollment = enroll(
        tenant_id=company.id,
        course_id=course.id,
        user=make_person(name="Dora Reis", cpf=make_cpf()),
        author=STAFF,
        deduplication_window_days=None,
    )
    cancel(enrollment_id=enrollment.id, reason="Hired by mistake", author=STAFF)

    def delivered() -> bool:
        tasks.webhooks_tick()  # beat's task body: hands out what is due now (the retry after a second)
        return all(event.state == rules.RECORD_SENT for event in _events(company)) and len(_events(company)) == 2

    wait_for(delivered, message="both events delivered", details=worker.output, timeout=60, every=0.5)

    assert webhook_receiver.of_type(ENROLLMENT_CREATED)
    canceled = webhook_receiver.of_type(ENROLLMENT_CANCELED)[-1]
    assert all(verify(endpoint.secret, got.headers, got.body) for got in webhook_receiver.received)
    assert canceled.json["data"]["reason"] == "Hired by mistake"
    # The first post of one of them got the 500: it came again, with the same id and body.
    first, *others = webhook_receiver.received
    [again] = [got for got in others if got.headers["Webhook-Id"] == first.headers["Webhook-Id"]]
    assert again.body == first.body and again.headers["Webhook-Attempt"] == "2"
    assert len(webhook_receiver.received) == 3


def test_tick__broker_down__event_kept_and_handed_out_by_the_first_tick_after_it_returns(broker_down, webhook_receiver):
    company, course = make_company(billing="postpaid"), make_course()
    register(company, webhook_receiver.url)
    enroll(tenant_id=company.id, course_id=course.id, user=make_person(cpf=make_cpf()), author=STAFF)

    assert tasks.webhooks_tick() == 0  # the queue did not take the batch: nothing counted as handed out
    broker_down.restore()
    handed = delivery.webhooks_tick(now=clock.now(), dispatch=lambda batch: delivery.webhook_events_deliver(keys=batch))

    assert handed == 1
    assert [got.json["type"] for got in webhook_receiver.received] == [ENROLLMENT_CREATED]
    assert [event.state for event in _events(company)] == [rules.RECORD_SENT]
