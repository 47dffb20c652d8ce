"""Webhook events are written in the transaction of the change they tell: enrolled, completed, canceled, and the
certificate's renewal window; only for a company whose active endpoint wants the event, with an id fixed by the
change."""

from datetime import timedelta

import pytest

from enrollments import clock, rules
from enrollments.dynamo import keys
from enrollments.dynamo.models import MainItem, WebhookEventItem
from enrollments.services import cancel, enroll, record_completion
from enrollments.services.enrollment_events import (
    CERTIFICATE_RENEWAL_WINDOW,
    ENROLLMENT_CANCELED,
    ENROLLMENT_COMPLETED,
    ENROLLMENT_CREATED,
)
from enrollments.tests.auto_renewal_support import windowed_course
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person
from enrollments.tests.renewal_support import certificate
from enrollments.tests.webhook_support import SUPERVISOR, register
from enrollments.webhooks import events
from enrollments.webhooks.services import webhook_endpoint_update

pytestmark = pytest.mark.django_db


def stored_events(company) -> list[WebhookEventItem]:
    """Every item of the company's webhook events partition, read from the table (oldest first)."""
    return list(MainItem.query(keys.webhook_events(company.id), consistent_read=True))


def _enroll(company, course, **person):
    return enroll(
        tenant_id=company.id,
        course_id=course.id,
        user=make_person(cpf=make_cpf(), **person),
        author=STAFF,
        deduplication_window_days=None,
    )


@pytest.fixture
def company_course():
    company, course = make_company(billing="postpaid"), make_course(certificate_validity_days=730)
    return company, course


def test_enroll__company_with_endpoint__created_event_in_the_same_write_with_person_course_and_a_fixed_id(
    company_course, webhook_receiver
):
    company, course = company_course
    register(company, webhook_receiver.url)

    enrollment = _enroll(company, course, name="Ana Souza")

    [event] = stored_events(company)
    assert event.type == ENROLLMENT_CREATED and event.state == rules.RECORD_PENDING
    assert event.event_id == events.event_id(ENROLLMENT_CREATED, enrollment.id)
    assert event.data["enrollment_id"] == enrollment.id and event.data["status"] == rules.PENDING
    assert event.data["person"]["name"] == "Ana Souza" and event.data["course"] == {
        "id": course.id,
        "name": course.name,
    }
    assert event.webhook_due_shard in keys.webhook_due_shards()


def test_enroll__company_without_endpoint__no_event_item_written(company_course):
    company, course = company_course

    _enroll(company, course)

    assert stored_events(company) == []


def test_prepaid_enroll__with_endpoint__event_written_beside_the_seat(webhook_receiver):
    company, course = make_company(), make_course()
    make_order(company, course, 1)
    register(company, webhook_receiver.url)

    _enroll(company, course)

    assert [e.type for e in stored_events(company)] == [ENROLLMENT_CREATED]


def test_completion_and_cancel__events_carry_the_expiry_and_the_reason(company_course, webhook_receiver):
    company, course = company_course
    register(company, webhook_receiver.url)
    done, dropped = _enroll(company, course), _enroll(company, course)
    expires = clock.now() + timedelta(days=700)

    record_completion(enrollment_id=done.id, certificate_expires_at=expires)
    record_completion(enrollment_id=done.id, certificate_expires_at=expires)  # the same completion again
    cancel(enrollment_id=dropped.id, reason="Left the company", author=STAFF)

    by_type = {}
    for event in stored_events(company):
        by_type.setdefault(event.type, []).append(event)
    [completed] = by_type[ENROLLMENT_COMPLETED]
    assert completed.data["status"] == rules.COMPLETED
    assert completed.data["certificate_expires_at"] == clock.to_iso(expires)
    [canceled] = by_type[ENROLLMENT_CANCELED]
    assert canceled.data["status"] == rules.CANCELED and canceled.data["reason"] == "Left the company"
    assert canceled.data["enrollment_id"] == dropped.id


def test_events__another_company_s_changes__never_in_this_company_s_partition(company_course, webhook_receiver):
    company, course = company_course
    other = make_company(billing="postpaid")
    register(company, webhook_receiver.url)
    register(other, webhook_receiver.url + "/other")

    mine, theirs = _enroll(company, course), _enroll(other, course)

    assert [e.data["enrollment_id"] for e in stored_events(company)] == [mine.id]
    assert [e.data["enrollment_id"] for e in stored_events(other)] == [theirs.id]


def test_events__paused_or_not_subscribed__nothing_written(company_course, webhook_receiver):
    company, course = company_course
    register(company, webhook_receiver.url, events=[ENROLLMENT_CANCELED])

    _enroll(company, course)  # not subscribed
    webhook_endpoint_update(
        company_id=company.id,
        url=webhook_receiver.url,
        events=[ENROLLMENT_CREATED],
        active=False,
        revision=1,
        author=SUPERVISOR,
    )
    _enroll(company, course)  # paused

    assert stored_events(company) == []


def test_renewal_window__fired_by_the_scheduler__event_for_a_company_that_does_not_auto_renew(
    lifecycle_time, webhook_receiver
):
    t = lifecycle_time
    company, course = make_company(billing="postpaid"), windowed_course(45)
    cert = certificate(company, course, now=t.start, expires_in=100, completed_days_ago=0)
    register(company, webhook_receiver.url)

    t.tick(t.start + timedelta(days=55))
    t.tick(t.start + timedelta(days=56))  # fired once: the record is done

    [event] = [e for e in stored_events(company) if e.type == CERTIFICATE_RENEWAL_WINDOW]
    assert event.event_id == events.event_id(CERTIFICATE_RENEWAL_WINDOW, cert.id)
    assert event.data["certificate_expires_at"] == cert.certificate_expires_at


def _endpoint_reads(calls) -> int:
    return sum(1 for call in calls if call.operation == "GetItem" and call.request["Key"]["id"] == {"S": keys.WEBHOOKS})


def test_enroll__company_without_endpoint__its_endpoint_read_once_per_process_period_not_per_enrollment(
    company_course, dynamodb_calls, settings
):
    settings.WEBHOOK_ENDPOINT_CACHE_SECONDS = 3600
    company, course = company_course

    for _ in range(3):
        _enroll(company, course)

    assert _endpoint_reads(dynamodb_calls) == 1
    assert stored_events(company) == []
