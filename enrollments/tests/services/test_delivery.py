"""Processing one record: the claim, its lease, retries with backoff, FAILED, through a real SMTP exchange."""

import logging
from collections import Counter
from datetime import timedelta

import pytest

from enrollments import clock, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import EnrollmentItem, LifecycleRecordItem
from enrollments.exceptions import StorageUnavailable
from enrollments.services import lifecycle_record_process, lifecycle_records_process, record_access
from enrollments.services.delivery import _claim
from enrollments.services.emails import message_id
from enrollments.services.record_outcomes import retry_delay
from enrollments.tests.factories import make_person
from enrollments.tests.lifecycle_support import audit_actions, make_enrollment, record
from scripts.dynamodb_local import free_port

pytestmark = pytest.mark.django_db

WELCOME = "welcome"
REMINDER = "reminder_no_access_3_days"
REMINDER_SK = f"schedules#{REMINDER}"
NO_ACTIVITY = "no_activity_7_days"
NO_ACTIVITY_SK = f"schedules#{NO_ACTIVITY}"


def _events_to(sink, enrollment) -> list[str]:
    """Return the events of the emails the sink accepted for ``enrollment``'s learner, sorted."""
    return sorted(received.message["X-Lifecycle-Event"] for received in sink.accepted_to(enrollment.user.email))


@pytest.fixture
def retries(settings):
    settings.LIFECYCLE_MAX_ATTEMPTS = 3
    settings.LIFECYCLE_RETRY_BACKOFF_SECONDS = 60
    settings.LIFECYCLE_RETRY_BACKOFF_MAX_SECONDS = 3600
    settings.LIFECYCLE_LEASE_SECONDS = 300


def test_retry_delay__doubles_and_is_capped(settings):
    settings.LIFECYCLE_RETRY_BACKOFF_SECONDS, settings.LIFECYCLE_RETRY_BACKOFF_MAX_SECONDS = 60, 300

    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


def test_send_failure__retried_with_backoff_then_failed_with_the_error__others_unaffected(
    lifecycle_time, smtp_settings, retries
):
    t, sink = lifecycle_time, smtp_settings
    sink.refusals["unlucky"] = (451, "4.3.0 mailbox busy, try later")
    unlucky = make_enrollment(access_period_days=35, person=make_person(email="unlucky.person@example.com"))
    others = [make_enrollment(access_period_days=35) for _ in range(2)]
    due = t.start + timedelta(days=3)

    t.tick(due)

    pending = record(unlucky.id, REMINDER)
    assert (pending.state, pending.attempts) == ("PENDING", 1) and "451" in pending.last_error
    assert pending.due_at == clock.to_iso(due + timedelta(seconds=60)) and pending.due_shard is not None

    t.tick(due + timedelta(seconds=59))
    assert record(unlucky.id, REMINDER).attempts == 1  # not before its backoff

    t.tick(due + timedelta(seconds=60))
    assert record(unlucky.id, REMINDER).attempts == 2
    assert record(unlucky.id, REMINDER).due_at == clock.to_iso(due + timedelta(seconds=60 + 120))

    t.tick(due + timedelta(seconds=180))

    failed = record(unlucky.id, REMINDER)
    assert (failed.state, failed.attempts, failed.due_shard, failed.lease_expires_at) == ("FAILED", 3, None, None)
    assert "451 4.3.0 mailbox busy" in failed.last_error
    assert audit_actions(unlucky.id, event=REMINDER) == ["LIFECYCLE_RETRY", "LIFECYCLE_RETRY", "LIFECYCLE_FAILED"]
    # The welcome, due since the enrollment, went out to the same refusing server on the same ticks.
    assert (record(unlucky.id, WELCOME).state, record(unlucky.id, WELCOME).attempts) == ("FAILED", 3)
    failures, _next = selectors.lifecycle_failure_list()
    assert sorted((f.enrollment_id, f.event, f.attempts) for f in failures if f.enrollment_id == unlucky.id) == [
        (unlucky.id, REMINDER, 3),
        (unlucky.id, WELCOME, 3),
    ]
    for other in others:
        assert _events_to(sink, other) == [REMINDER, WELCOME] and record(other.id, REMINDER).state == "SENT"

    t.tick(due + timedelta(days=1))  # FAILED is final: nothing loops

    assert record(unlucky.id, REMINDER).attempts == 3 and sink.accepted_to(unlucky.user.email) == []
    assert all(_events_to(sink, other) == [REMINDER, WELCOME] for other in others)


def test_send__refused_for_good__fails_at_once(lifecycle_time, smtp_settings, retries):
    t, sink = lifecycle_time, smtp_settings
    sink.refusals["nobody"] = (550, "5.1.1 no such user")
    enrollment = make_enrollment(access_period_days=35, person=make_person(email="nobody.here@example.com"))

    t.tick(t.start + timedelta(days=3))

    failed = record(enrollment.id, REMINDER)
    assert (failed.state, failed.attempts) == ("FAILED", 1) and "550" in failed.last_error


@pytest.mark.parametrize(
    ("reply", "cause"),
    [
        ((550, "5.1.1 no such user"), "address_refused"),
        ((552, "5.2.2 mailbox full"), "mailbox_full"),
        ((554, "5.7.1 rejected as spam"), "message_refused"),
    ],
)
def test_send__refused_for_good__record_and_failure_store_the_cause_beside_the_error(
    lifecycle_time, smtp_settings, retries, reply, cause
):
    t, sink = lifecycle_time, smtp_settings
    sink.refusals["refused"] = reply
    enrollment = make_enrollment(access_period_days=35, person=make_person(email="refused.person@example.com"))

    t.tick(t.start + timedelta(days=3))

    failed = record(enrollment.id, REMINDER)
    (failure,) = [
        f
        for f in selectors.lifecycle_failure_list(tenant_id=enrollment.tenant_id)[0]
        if (f.enrollment_id, f.event) == (enrollment.id, REMINDER)
    ]
    assert (failed.state, failed.last_error_cause) == ("FAILED", cause) and reply[1] in failed.last_error
    assert (failure.last_error, failure.last_error_cause) == (failed.last_error, cause)


def test_send__mail_server_down__is_transient_and_retried(lifecycle_time, smtp_settings, retries, settings):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    settings.EMAIL_PORT = free_port()  # nothing listens there

    t.tick(t.start + timedelta(days=3))

    pending = record(enrollment.id, REMINDER)
    assert (pending.state, pending.attempts) == ("PENDING", 1) and "ConnectionRefusedError" in pending.last_error
    assert pending.last_error_cause == "server_unreachable"


def test_claim__a_live_lease_keeps_others_off_and_an_expired_one_is_taken_over(lifecycle_time, mailoutbox, retries):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.tick(t.start)  # the welcome goes out first; the reminder is the record of this test
    due = t.set(t.start + timedelta(days=3))
    # A worker claims the record and dies before it sends.
    claimed = _claim(enrollment_id=enrollment.id, sk=REMINDER_SK, now=due)
    assert (claimed.state, claimed.attempts, claimed.lease_expires_at) == (
        "SENDING",
        1,
        clock.to_iso(due + timedelta(seconds=300)),
    )

    t.set(due + timedelta(seconds=299))
    assert lifecycle_record_process(enrollment_id=enrollment.id, sk=REMINDER_SK) == "not_claimed"
    report = t.tick(due + timedelta(seconds=299))
    assert report.records_found == 0  # a record a live worker holds is not handed out

    t.tick(due + timedelta(seconds=300))

    sent = record(enrollment.id, REMINDER)
    assert (sent.state, sent.attempts) == ("SENT", 2)
    assert [(m.to, m.extra_headers["X-Lifecycle-Event"]) for m in mailoutbox] == [
        ([enrollment.user.email], WELCOME),
        ([enrollment.user.email], REMINDER),
    ]
    assert audit_actions(enrollment.id, event=REMINDER) == ["LIFECYCLE_SENT"]


def test_claim__of_a_record_not_due_yet__is_refused(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.set(t.start + timedelta(days=3) - timedelta(seconds=1))

    assert lifecycle_record_process(enrollment_id=enrollment.id, sk=REMINDER_SK) == "not_claimed"
    assert record(enrollment.id, REMINDER).state == "PENDING" and mailoutbox == []


def test_claims_that_never_finish__end_failed_instead_of_looping(lifecycle_time, mailoutbox, retries):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35, welcome=False)
    moment = t.start + timedelta(days=3)
    for _ in range(3):  # three workers claim it and die
        _claim(enrollment_id=enrollment.id, sk=REMINDER_SK, now=moment)
        moment += timedelta(seconds=300)
    t.set(moment)

    assert lifecycle_record_process(enrollment_id=enrollment.id, sk=REMINDER_SK) == "failed"

    failed = record(enrollment.id, REMINDER)
    assert (failed.state, failed.attempts) == ("FAILED", 4) and "no attempt finished" in failed.last_error
    assert mailoutbox == []


def test_message_id__same_for_every_attempt_of_a_schedule(lifecycle_time, retries):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35, welcome=False)
    before = message_id(record(enrollment.id, REMINDER))

    claimed = _claim(enrollment_id=enrollment.id, sk=REMINDER_SK, now=t.start + timedelta(days=3))

    assert message_id(claimed) == before and claimed.due_at != claimed.scheduled_for
    assert (
        before
        == f"<lifecycle.{REMINDER}.{enrollment.id}.{claimed.scheduled_for[:19].replace('-', '').replace(':', '')}@example.com>"
    )


def test_process__record_of_a_missing_enrollment__is_skipped(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35, welcome=False)
    orphan = record(enrollment.id, REMINDER)
    orphan.id = f"gone-{enrollment.id}"
    orphan.save()
    t.set(t.start + timedelta(days=3))

    assert lifecycle_record_process(enrollment_id=orphan.id, sk=REMINDER_SK) == "skipped"
    assert LifecycleRecordItem.get(orphan.id, REMINDER_SK).skip_reason == "the enrollment no longer exists"


def test_claim__of_a_record_written_without_scheduled_for__keeps_its_first_due_time(lifecycle_time, retries):
    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35, welcome=False)
    legacy = record(enrollment.id, REMINDER)
    legacy.update(actions=[LifecycleRecordItem.scheduled_for.remove()])
    due = legacy.due_at
    before = message_id(record(enrollment.id, REMINDER))

    claimed = _claim(enrollment_id=enrollment.id, sk=REMINDER_SK, now=t.start + timedelta(days=3))

    assert claimed.scheduled_for == due != claimed.due_at and message_id(claimed) == before


def test_mark__by_a_worker_whose_lease_ran_out_and_was_taken_over__is_lost_not_written(lifecycle_time, retries):
    from enrollments.rules import Decision
    from enrollments.services.delivery import _mark_sent

    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35, welcome=False)
    due = t.start + timedelta(days=3)
    slow = _claim(enrollment_id=enrollment.id, sk=REMINDER_SK, now=due)
    _claim(enrollment_id=enrollment.id, sk=REMINDER_SK, now=due + timedelta(seconds=300))  # another worker takes over
    t.set(due + timedelta(seconds=301))

    outcome = _mark_sent(slow, selectors.enrollment_get(enrollment.id), Decision(send=True))

    current = record(enrollment.id, REMINDER)
    assert outcome == "lost" and (current.state, current.attempts) == ("SENDING", 2)
    assert audit_actions(enrollment.id, event=REMINDER) == []


def test_mark__enrollment_changed_since_the_decision__decides_the_effect_again(lifecycle_time, retries):
    from enrollments.rules import Decision
    from enrollments.services import record_access
    from enrollments.services.delivery import _mark_sent

    t = lifecycle_time
    enrollment = make_enrollment(access_period_days=35)
    t.tick(t.start + timedelta(days=34))  # the records before it go out, and hand it the ``due`` entry
    due = t.set(t.start + timedelta(days=35))
    claimed = _claim(enrollment_id=enrollment.id, sk="schedules#course_expired", now=due)
    read_before = selectors.enrollment_get(enrollment.id)  # PENDING
    record_access(enrollment_id=enrollment.id)  # the learner opens the course meanwhile

    outcome = _mark_sent(claimed, read_before, Decision(send=True, effect="EXPIRED"))

    stored = selectors.enrollment_get(enrollment.id)
    assert outcome == "sent" and stored.status == "EXPIRED" and stored.expired_at == clock.to_iso(due)
    assert record(enrollment.id, "course_expired").state == "SENT"
    assert audit_actions(enrollment.id, event="course_expired") == ["EXPIRED"]


def _accessed(*, last_activity_at: str | None = None):
    """Return an enrollment accessed now; with ``last_activity_at``, that raw string is stored as its last activity."""
    enrollment = make_enrollment(access_period_days=90, welcome=False)  # no other record due in its first weeks
    record_access(enrollment_id=enrollment.id)
    if last_activity_at is not None:
        # Written straight to the item, as a bug or a hand edit would leave it: deciding no_activity_7_days parses it.
        EnrollmentItem(*keys.enrollment(enrollment.id)).update(
            actions=[EnrollmentItem.last_activity_at.set(last_activity_at)]
        )
    return enrollment


def test_batch__a_record_raising_an_unexpected_error__is_logged_and_counted_and_the_next_record_is_sent(
    lifecycle_time, smtp_settings, retries, caplog
):
    t, sink = lifecycle_time, smtp_settings
    broken, good = _accessed(last_activity_at="last Tuesday"), _accessed()
    t.set(t.start + timedelta(days=7, seconds=1))

    with caplog.at_level(logging.ERROR, logger="enrollments.services.delivery"):
        outcomes = lifecycle_records_process(keys=[[broken.id, NO_ACTIVITY_SK], [good.id, NO_ACTIVITY_SK]])

    assert outcomes == Counter({"error": 1, "sent": 1})
    assert len(sink.accepted_to(good.user.email)) == 1 and record(good.id, NO_ACTIVITY).state == "SENT"
    held = record(broken.id, NO_ACTIVITY)
    assert (held.state, held.attempts, held.due_shard is not None) == ("SENDING", 1, True)
    assert held.last_error == "ValueError: Invalid isoformat string: 'last Tuesday'"
    [logged] = [entry for entry in caplog.records if entry.exc_info]
    assert broken.id in logged.getMessage() and logged.exc_info[0] is ValueError
    assert sink.accepted_to(broken.user.email) == []


def test_batch__a_record_raising_on_every_claim__comes_back_after_each_lease_then_fails_naming_the_error(
    lifecycle_time, mailoutbox, retries
):
    t = lifecycle_time
    broken = _accessed(last_activity_at="last Tuesday")
    due = t.start + timedelta(days=7, seconds=1)

    for claim in range(3):  # LIFECYCLE_MAX_ATTEMPTS claims, one per lease of 300 s
        t.tick(due + timedelta(seconds=300 * claim))
        assert t.tick(due + timedelta(seconds=300 * claim + 299)).records_found == 0  # held until its lease ends
    assert t.outcomes == Counter({"error": 3})

    t.tick(due + timedelta(seconds=900))

    failed = record(broken.id, NO_ACTIVITY)
    assert (failed.state, failed.attempts, failed.due_shard) == ("FAILED", 4, None)
    assert failed.last_error == "ValueError: Invalid isoformat string: 'last Tuesday'"
    assert t.outcomes == Counter({"error": 3, "failed": 1})
    failures, _next = selectors.lifecycle_failure_list()
    assert [(f.event, f.attempts) for f in failures if f.enrollment_id == broken.id] == [(NO_ACTIVITY, 4)]
    assert audit_actions(broken.id, event=NO_ACTIVITY) == ["LIFECYCLE_FAILED"]
    assert mailoutbox == []


def test_batch__dynamodb_unreachable__raises_storage_unavailable_for_the_task_to_retry(dynamodb_down):
    with pytest.raises(StorageUnavailable):
        lifecycle_records_process(keys=[["some-enrollment", NO_ACTIVITY_SK], ["another-enrollment", NO_ACTIVITY_SK]])
