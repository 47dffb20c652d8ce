"""Sending a failed email again: back to PENDING due now with a full set of tries, audited, once however
many times it is asked, then claimed and sent exactly once by the next tick through a real SMTP exchange."""

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest

from enrollments import clock, selectors
from enrollments.dynamo.models import LifecycleFailureItem
from enrollments.exceptions import InvalidTransition
from enrollments.services import Author, cancel, enroll, lifecycle_failure_resend, lifecycle_failures_resend
from enrollments.services.failures import ALREADY_RESENT, RESENT
from enrollments.tests.factories import STAFF, make_company, make_course, make_person
from enrollments.tests.lifecycle_support import audit_actions, audit_events, record

pytestmark = pytest.mark.django_db

REMINDER = "reminder_no_access_3_days"
OPERATOR = Author(id="7", name="Olga Operator", email="olga@example.com")


@pytest.fixture
def failed(lifecycle_time, smtp_settings, settings):
    """Return a function that enrolls people at a company whose no-access reminder the mail server refuses for good.

    Enrolled without the welcome, so each enrollment has one failed email, the reminder these tests send
    again; a failed welcome sent again has its own test below.
    """
    settings.LIFECYCLE_MAX_ATTEMPTS = 3
    sink, t = smtp_settings, lifecycle_time
    sink.refusals["refused"] = (550, "5.1.1 no such user")
    course = make_course(access_period_days=35)

    def fail(company=None, count: int = 1) -> list:
        company = company or make_company(billing="postpaid")
        t.set(t.start)
        enrollments = [
            enroll(
                tenant_id=company.id,
                course_id=course.id,
                user=make_person(email=f"refused.{uuid.uuid4().hex[:8]}@example.com"),
                author=STAFF,
                welcome=False,
            )
            for _ in range(count)
        ]
        t.tick(t.start + timedelta(days=3))
        assert all(record(e.id, REMINDER).state == "FAILED" for e in enrollments)
        return enrollments

    return fail


def _events_to(sink, enrollment) -> list[str]:
    return sorted(received.message["X-Lifecycle-Event"] for received in sink.accepted_to(enrollment.user.email))


def _company_failures(tenant_id: str) -> list:
    failures, _next = selectors.lifecycle_failure_list(tenant_id=tenant_id)
    return failures


def test_resend__pending_due_now_with_a_full_set_of_tries__sent_exactly_once_by_the_next_tick(
    failed, lifecycle_time, smtp_settings
):
    t, sink = lifecycle_time, smtp_settings
    (enrollment,) = failed()
    (failure,) = _company_failures(enrollment.tenant_id)
    sink.refusals.clear()  # the address was fixed at the mail server
    now = t.set(t.start + timedelta(days=4))

    assert lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR) == RESENT

    pending = record(enrollment.id, REMINDER)
    assert (pending.state, pending.due_at) == ("PENDING", clock.to_iso(now))
    # The claim count keeps growing (it fences off workers from before); the tries start again from here.
    assert pending.attempts_before_resend == pending.attempts == failure.attempts
    assert pending.due_shard.startswith(clock.to_iso(now)[:10]) and pending.lease_expires_at is None
    assert _company_failures(enrollment.tenant_id) == []
    resent = [event for event in audit_events(enrollment.id) if event.action == "LIFECYCLE_RESENT"]
    assert [(e.author.name, e.source, e.detail) for e in resent] == [("Olga Operator", "staff", REMINDER)]

    t.tick(now + timedelta(seconds=1))
    t.tick(now + timedelta(minutes=10))

    assert len(sink.accepted_to(enrollment.user.email)) == 1
    sent = record(enrollment.id, REMINDER)
    assert (sent.state, sent.attempts - sent.attempts_before_resend, sent.due_shard) == ("SENT", 1, None)
    assert audit_actions(enrollment.id, event=REMINDER)[-3:] == [
        "LIFECYCLE_FAILED",
        "LIFECYCLE_RESENT",
        "LIFECYCLE_SENT",
    ]


def test_resend__still_refused__fails_again_after_a_full_set_of_tries_and_is_listed_again(
    failed, lifecycle_time, smtp_settings
):
    t = lifecycle_time
    (enrollment,) = failed()
    (failure,) = _company_failures(enrollment.tenant_id)
    now = t.set(t.start + timedelta(days=4))

    lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR)
    t.tick(now + timedelta(seconds=1))

    (again,) = _company_failures(enrollment.tenant_id)
    assert again.sk != failure.sk and again.attempts == 1 and record(enrollment.id, REMINDER).state == "FAILED"


def test_resend__twice_at_once__sent_again_once_and_delivered_once(failed, lifecycle_time, smtp_settings):
    t, sink = lifecycle_time, smtp_settings
    (enrollment,) = failed()
    (failure,) = _company_failures(enrollment.tenant_id)
    sink.refusals.clear()
    now = t.set(t.start + timedelta(days=4))
    barrier, outcomes = threading.Barrier(4), Counter()

    def click():
        barrier.wait()
        outcomes[lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR)] += 1

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == Counter({RESENT: 1, ALREADY_RESENT: 3})
    assert audit_actions(enrollment.id).count("LIFECYCLE_RESENT") == 1
    t.tick(now + timedelta(seconds=1))
    assert len(sink.accepted_to(enrollment.user.email)) == 1
    assert lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR) == ALREADY_RESENT


def test_resend__enrollment_canceled_meanwhile__refused_saying_the_scheduler_would_skip_it(failed):
    (enrollment,) = failed()
    (failure,) = _company_failures(enrollment.tenant_id)
    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF)

    with pytest.raises(InvalidTransition) as refused:
        lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR)

    assert "canceled" in refused.value.message and "the scheduler would skip it" in refused.value.message
    assert "LIFECYCLE_RESENT" not in audit_actions(enrollment.id)
    assert [f.sk for f in _company_failures(enrollment.tenant_id)] == [failure.sk]


def test_resend__email_scheduled_again_since__refused(failed, lifecycle_time):
    (enrollment,) = failed()
    (failure,) = _company_failures(enrollment.tenant_id)
    # A later failure of the same record: this one no longer describes it.
    lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR)
    lifecycle_time.tick(lifecycle_time.start + timedelta(days=4))
    (later,) = _company_failures(enrollment.tenant_id)
    stale = LifecycleFailureItem(**{**later.attribute_values, "sk": failure.sk, "created_at": failure.created_at})
    stale.save()

    with pytest.raises(InvalidTransition) as refused:
        lifecycle_failure_resend(failure_sk=stale.sk, author=OPERATOR)

    assert "scheduled again" in refused.value.message
    assert record(enrollment.id, REMINDER).state == "FAILED"


def test_resend_all__every_failure_of_the_company_once__canceled_ones_refused_with_why__others_untouched(
    failed, lifecycle_time, smtp_settings
):
    t, sink = lifecycle_time, smtp_settings
    company = make_company(billing="postpaid")
    enrollments = failed(company, count=3)
    (elsewhere,) = failed()
    cancel(enrollment_id=enrollments[0].id, reason="Left the company", author=STAFF)
    sink.refusals.clear()
    now = t.set(t.start + timedelta(days=4))

    report = lifecycle_failures_resend(tenant_id=company.id, author=OPERATOR)

    assert report.resent == 2 and not report.more
    assert [(f.enrollment_id, "canceled" in why) for f, why in report.refused] == [(enrollments[0].id, True)]
    assert [f.enrollment_id for f in _company_failures(company.id)] == [enrollments[0].id]
    assert [f.enrollment_id for f in _company_failures(elsewhere.tenant_id)] == [elsewhere.id]
    again = lifecycle_failures_resend(tenant_id=company.id, author=OPERATOR)
    assert again.resent == 0 and len(again.refused) == 1

    t.tick(now + timedelta(seconds=1))

    # The canceled one gets its cancel notice (due at the cancel), not the reminder.
    assert [_events_to(sink, e) for e in enrollments] == [["cancel_notice"], [REMINDER], [REMINDER]]
    assert sink.accepted_to(elsewhere.user.email) == [] and record(elsewhere.id, REMINDER).state == "FAILED"
    assert [audit_actions(e.id).count("LIFECYCLE_RESENT") for e in enrollments] == [0, 1, 1]


def test_resend_all__beyond_the_limit__says_more_remain(failed):
    company = make_company(billing="postpaid")
    failed(company, count=3)

    report = lifecycle_failures_resend(tenant_id=company.id, author=OPERATOR, limit=2)

    assert (report.resent, report.more, len(_company_failures(company.id))) == (2, True, 1)


def test_resend__a_failed_welcome__sent_exactly_once_by_the_next_tick(lifecycle_time, smtp_settings):
    t, sink = lifecycle_time, smtp_settings
    sink.refusals["refused"] = (550, "5.1.1 no such user")
    company = make_company(billing="postpaid")
    enrollment = enroll(
        tenant_id=company.id,
        course_id=make_course(access_period_days=35).sk,
        user=make_person(email=f"refused.{uuid.uuid4().hex[:8]}@example.com"),
        author=STAFF,
    )
    t.tick(t.start)
    (failure,) = _company_failures(company.id)
    assert (failure.event, record(enrollment.id, "welcome").state) == ("welcome", "FAILED")
    sink.refusals.clear()
    now = t.set(t.start + timedelta(hours=1))

    assert lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR) == RESENT
    t.tick(now + timedelta(seconds=1))
    t.tick(now + timedelta(minutes=10))

    assert _events_to(sink, enrollment) == ["welcome"]
    assert record(enrollment.id, "welcome").state == "SENT"
    assert audit_actions(enrollment.id, event="welcome")[-3:] == [
        "LIFECYCLE_FAILED",
        "LIFECYCLE_RESENT",
        "LIFECYCLE_SENT",
    ]


def test_resend__a_failed_cancel_notice__sent_though_the_enrollment_is_canceled(lifecycle_time, smtp_settings):
    t, sink = lifecycle_time, smtp_settings
    sink.refusals["refused"] = (550, "5.1.1 no such user")
    company = make_company(billing="postpaid")
    enrollment = enroll(
        tenant_id=company.id,
        course_id=make_course(access_period_days=35).sk,
        user=make_person(email=f"refused.{uuid.uuid4().hex[:8]}@example.com"),
        author=STAFF,
        welcome=False,
    )
    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF, notify_learner=True)
    t.tick(t.start)
    (failure,) = _company_failures(company.id)
    assert (failure.event, record(enrollment.id, "cancel_notice").state) == ("cancel_notice", "FAILED")
    sink.refusals.clear()
    now = t.set(t.start + timedelta(hours=1))

    # The notice is about the cancel: the canceled enrollment is its reason to go out, not one to refuse it.
    assert lifecycle_failure_resend(failure_sk=failure.sk, author=OPERATOR) == RESENT
    t.tick(now + timedelta(seconds=1))
    t.tick(now + timedelta(minutes=10))

    assert _events_to(sink, enrollment) == ["cancel_notice"]
