"""Webhook delivery in this process, to a real HTTP receiver on 127.0.0.1: beat's tick finds the events due, each
is claimed once, posted signed and marked; a refusal is retried on the schedule with the same id, then FAILED; an
event sent again from the log is delivered once more with the same id."""

from datetime import UTC, datetime, timedelta

import pytest

from enrollments import clock, rules
from enrollments.dynamo import keys
from enrollments.dynamo.models import MainItem
from enrollments.services import enroll, record_completion
from enrollments.services.enrollment_events import ENROLLMENT_COMPLETED, ENROLLMENT_CREATED
from enrollments.services.record_outcomes import OUTCOME_NOT_CLAIMED
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_person
from enrollments.tests.webhook_support import SUPERVISOR, register, verify
from enrollments.webhooks import delivery, selectors
from enrollments.webhooks.services import webhook_endpoint_update, webhook_event_resend, webhook_secret_rotate

# Tables of its own: the tick reads the whole webhook_due index (the module's other tests' events too: assertions
# look at what this test's receiver got, never at how many events a tick handed out).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_tables")]

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def at_start():
    clock.set_now(START)
    yield START
    clock.set_now(None)


def tick(at: datetime) -> int:
    """Freeze the clock at ``at`` and run beat's tick there, delivering each batch in this process."""
    clock.set_now(at)
    return delivery.webhooks_tick(now=at, dispatch=lambda batch: delivery.webhook_events_deliver(keys=batch))


def events_of(company) -> list:
    return list(MainItem.query(keys.webhook_events(company.id), consistent_read=True))


def _enroll(company, course):
    return enroll(
        tenant_id=company.id,
        course_id=course.id,
        user=make_person(name="Bruno Lima", cpf=make_cpf()),
        author=STAFF,
        deduplication_window_days=None,
    )


@pytest.fixture
def company_with_endpoint(webhook_receiver):
    company, course = make_company(billing="postpaid"), make_course()
    endpoint = register(company, webhook_receiver.url)
    return company, course, endpoint


def test_enroll_then_tick__receiver_gets_created_event_signed_with_the_secret_once(
    at_start, company_with_endpoint, webhook_receiver
):
    company, course, endpoint = company_with_endpoint
    enrollment = _enroll(company, course)

    tick(START)
    tick(START + timedelta(seconds=10))  # delivered: out of the index, not posted again

    [got] = webhook_receiver.received
    assert got.path == webhook_receiver.path and got.headers["Content-Type"] == "application/json"
    assert verify(endpoint.secret, got.headers, got.body)
    assert got.headers["Webhook-Timestamp"] == str(int(START.timestamp()))
    body = got.json
    assert body["type"] == ENROLLMENT_CREATED and body["id"] == got.headers["Webhook-Id"]
    assert body["data"]["enrollment_id"] == enrollment.id and body["data"]["person"]["name"] == "Bruno Lima"
    [event] = events_of(company)
    assert (event.state, event.last_status, event.attempts, event.webhook_due_shard) == (
        rules.RECORD_SENT,
        200,
        1,
        None,
    )


def test_signature__tampered_body_or_old_secret__does_not_verify(at_start, company_with_endpoint, webhook_receiver):
    company, course, endpoint = company_with_endpoint
    _enroll(company, course)
    webhook_secret_rotate(company_id=company.id, revision=1, author=SUPERVISOR)

    tick(START)

    [got] = webhook_receiver.received
    assert not verify(endpoint.secret, got.headers, got.body)  # signed with the new secret
    new_secret = selectors.endpoint_find(company.id).secret
    assert verify(new_secret, got.headers, got.body)
    assert not verify(new_secret, got.headers, got.body.replace(b"Bruno", b"Bruna"))


def test_receiver_answers_500_then_200__retried_after_the_first_delay_delivered_with_the_same_id(
    at_start, company_with_endpoint, webhook_receiver, settings
):
    company, course, _endpoint = company_with_endpoint
    webhook_receiver.statuses = [500]
    _enroll(company, course)

    tick(START)
    [event] = events_of(company)
    assert (event.state, event.last_status, event.due_at) == (
        rules.RECORD_PENDING,
        500,
        clock.to_iso(START + timedelta(seconds=settings.WEBHOOK_RETRY_SCHEDULE_SECONDS[0])),
    )
    tick(START + timedelta(seconds=30))  # not due yet
    assert len(webhook_receiver.received) == 1
    tick(START + timedelta(seconds=61))

    first, second = webhook_receiver.received
    assert first.headers["Webhook-Id"] == second.headers["Webhook-Id"] and first.body == second.body
    assert (first.headers["Webhook-Attempt"], second.headers["Webhook-Attempt"]) == ("1", "2")
    [event] = events_of(company)
    assert (event.state, event.last_status, event.attempts) == (rules.RECORD_SENT, 200, 2)


def test_receiver_refuses_every_try__failed_after_the_schedule_then_sent_again_twice_is_one_more_delivery(
    at_start, company_with_endpoint, webhook_receiver, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE_SECONDS = [60, 300]
    company, course, _endpoint = company_with_endpoint
    webhook_receiver.statuses = [503, 503, 503]
    _enroll(company, course)

    tick(START)
    tick(START + timedelta(seconds=60))
    tick(START + timedelta(seconds=360))
    [event] = events_of(company)
    assert (event.state, event.last_status, event.webhook_due_shard) == (rules.RECORD_FAILED, 503, None)
    assert len(webhook_receiver.received) == 3

    later = START + timedelta(hours=2)
    clock.set_now(later)
    assert webhook_event_resend(company_id=company.id, sk=event.sk, author=SUPERVISOR) is True
    assert webhook_event_resend(company_id=company.id, sk=event.sk, author=SUPERVISOR) is False
    tick(later)
    tick(later + timedelta(seconds=10))

    assert len(webhook_receiver.received) == 4
    assert {r.headers["Webhook-Id"] for r in webhook_receiver.received} == {event.event_id}
    [event] = events_of(company)
    assert event.state == rules.RECORD_SENT and event.attempts - event.attempts_before_resend == 1


def test_receiver_down__connection_error_kept_and_retried(at_start, company_with_endpoint, webhook_receiver):
    company, course, _endpoint = company_with_endpoint
    _enroll(company, course)
    webhook_receiver.stop()

    tick(START)

    [event] = events_of(company)
    assert event.state == rules.RECORD_PENDING and event.last_status is None
    assert event.last_error.startswith("connection_refused")


def test_deliver__event_claimed_by_a_live_worker__second_call_does_nothing(at_start, company_with_endpoint):
    company, course, _endpoint = company_with_endpoint
    _enroll(company, course)
    [event] = events_of(company)
    claimed = delivery.claim(
        event, now=START, lease_end=START + timedelta(seconds=120), condition=type(event).webhook_due_shard.exists()
    )

    assert claimed is not None
    assert delivery.webhook_event_deliver(partition=event.id, sk=event.sk) == OUTCOME_NOT_CLAIMED


def test_completion_delivered__body_carries_the_certificate_expiry(at_start, company_with_endpoint, webhook_receiver):
    company, course, _endpoint = company_with_endpoint
    enrollment = _enroll(company, course)
    expires = START + timedelta(days=365)
    record_completion(enrollment_id=enrollment.id, certificate_expires_at=expires)

    tick(START + timedelta(seconds=1))

    [completed] = webhook_receiver.of_type(ENROLLMENT_COMPLETED)
    assert completed.json["data"]["certificate_expires_at"] == clock.to_iso(expires)
    assert completed.json["data"]["status"] == rules.COMPLETED


def test_endpoint_paused_after_the_event__event_failed_as_paused_nothing_sent(
    at_start, company_with_endpoint, webhook_receiver
):
    company, course, endpoint = company_with_endpoint
    _enroll(company, course)
    webhook_endpoint_update(
        company_id=company.id,
        url=endpoint.url,
        events=list(endpoint.events),
        active=False,
        revision=1,
        author=SUPERVISOR,
    )

    tick(START)

    assert webhook_receiver.received == []
    [event] = events_of(company)
    assert (event.state, event.last_error) == (rules.RECORD_FAILED, delivery.ENDPOINT_PAUSED)


def test_two_companies__each_endpoint_gets_only_its_own_company_s_events(at_start, webhook_receiver):
    course = make_course()
    first, second = make_company(billing="postpaid"), make_company(billing="postpaid")
    register(first, webhook_receiver.url + "/first")
    register(second, webhook_receiver.url + "/second")
    mine, theirs = _enroll(first, course), _enroll(second, course)

    tick(START)

    by_path = {got.path: got.json["data"]["enrollment_id"] for got in webhook_receiver.received}
    assert by_path == {f"{webhook_receiver.path}/first": mine.id, f"{webhook_receiver.path}/second": theirs.id}


def test_endpoint_turned_internal_after_registering__not_posted_address_refused_kept(
    at_start, company_with_endpoint, webhook_receiver, settings
):
    company, course, _endpoint = company_with_endpoint
    _enroll(company, course)
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False  # production: 127.0.0.1 is refused at every delivery too

    tick(START)

    assert webhook_receiver.received == []
    [event] = events_of(company)
    assert event.state == rules.RECORD_PENDING and event.last_error.startswith("address_refused")


def test_receiver_answers_a_redirect__not_followed_counted_as_a_failure(
    at_start, company_with_endpoint, webhook_receiver
):
    company, course, _endpoint = company_with_endpoint
    webhook_receiver.statuses = [302]
    _enroll(company, course)

    tick(START)

    assert len(webhook_receiver.received) == 1
    [event] = events_of(company)
    assert (event.state, event.last_status) == (rules.RECORD_PENDING, 302)


def test_worker_dies_after_claiming__event_handed_out_again_after_its_lease_and_delivered_once(
    at_start, company_with_endpoint, webhook_receiver, settings
):
    company, course, _endpoint = company_with_endpoint
    _enroll(company, course)
    [event] = events_of(company)
    # A worker claims it and dies before posting: nothing marks it.
    delivery.claim(
        event,
        now=START,
        lease_end=START + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
        condition=type(event).webhook_due_shard.exists(),
    )

    tick(START + timedelta(seconds=10))  # a live lease: not handed out
    assert webhook_receiver.received == []
    tick(START + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS + 1))

    [got] = webhook_receiver.received
    assert got.headers["Webhook-Attempt"] == "2"
    [event] = events_of(company)
    assert (event.state, event.attempts) == (rules.RECORD_SENT, 2)
