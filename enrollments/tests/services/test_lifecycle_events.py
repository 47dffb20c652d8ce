"""The lifecycle events fire at their due time, not a minute before, with their email and effect."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import formats

from enrollments import clock, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import EnrollmentItem
from enrollments.services import (
    cancel,
    enroll,
    lifecycle_records_process,
    record_access,
    record_activity,
    record_completion,
)
from enrollments.services.lifecycle import lifecycle_record
from enrollments.tests.factories import STAFF, make_company, make_course, make_person
from enrollments.tests.lifecycle_support import audit_actions, make_enrollment, record

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


def _mails(outbox, enrollment, event=None):
    return [
        m
        for m in outbox
        if m.to == [enrollment.user.email] and (event is None or m.extra_headers["X-Lifecycle-Event"] == event)
    ]


def _local_date(iso: str) -> str:
    local = clock.from_iso(iso).astimezone(ZoneInfo(settings.TIME_ZONE))
    return formats.date_format(local, "DATE_FORMAT")


def _enrolled(t, **kwargs):
    return make_enrollment(access_period_days=35, **kwargs)


def _accessed(t):
    enrollment = _enrolled(t)
    t.set(t.start + timedelta(hours=1))
    record_access(enrollment_id=enrollment.id)
    return enrollment


def _canceled(t):
    """Enroll at the window's start, cancel an hour later notifying the learner (the welcome goes with the rest)."""
    enrollment = _enrolled(t)
    t.set(t.start + timedelta(hours=1))
    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF)
    return enrollment


def _completed(t):
    enrollment = _accessed(t)
    t.set(t.start + timedelta(days=1))
    record_completion(enrollment_id=enrollment.id, certificate_expires_at=t.start + timedelta(days=41))
    return enrollment


# event, set-up, due after the window's start, enrollment status once fired, the enrollment date the email shows
CASES = [
    ("welcome", _enrolled, timedelta(0), "PENDING", "access_expires_at"),
    ("reminder_no_access_3_days", _enrolled, timedelta(days=3), "PENDING", "access_expires_at"),
    ("access_period_reminder_30_days", _enrolled, timedelta(days=5), "PENDING", "access_expires_at"),
    ("course_expired", _enrolled, timedelta(days=35), "EXPIRED", "access_expires_at"),
    ("no_activity_7_days", _accessed, timedelta(days=7, hours=1), "IN_PROGRESS", "last_activity_at"),
    ("cert_expiration_reminder_30_days", _completed, timedelta(days=11), "COMPLETED", "certificate_expires_at"),
    ("course_archived", _completed, timedelta(days=41), "ARCHIVED", "certificate_expires_at"),
    ("cancel_notice", _canceled, timedelta(hours=1), "CANCELED", "canceled_at"),
]


@pytest.mark.parametrize("event, set_up, due_after, status_after, date_field", CASES, ids=[case[0] for case in CASES])
def test_event__fires_at_due_time_not_a_minute_before_with_its_email_and_effect(
    lifecycle_time, mailoutbox, event, set_up, due_after, status_after, date_field
):
    t = lifecycle_time
    enrollment = set_up(t)
    due = t.start + due_after
    assert record(enrollment.id, event).due_at == clock.to_iso(due)
    status_before = selectors.enrollment_get(enrollment.id).status

    t.tick(due - MINUTE)

    assert _mails(mailoutbox, enrollment, event) == []
    assert record(enrollment.id, event).state == "PENDING"
    assert selectors.enrollment_get(enrollment.id).status == status_before

    t.tick(due)

    [mail] = _mails(mailoutbox, enrollment, event)
    stored = selectors.enrollment_get(enrollment.id)
    fired = record(enrollment.id, event)
    assert stored.status == status_after
    assert fired.state == "SENT" and fired.sent_at == fired.due_at == clock.to_iso(due) and fired.due_shard is None
    assert (
        fired.message_id == mail.extra_headers["Message-ID"]
        and event in fired.message_id
        and enrollment.id in fired.message_id
    )
    assert enrollment.course.name in mail.subject
    link = settings.COURSE_URL_TEMPLATE.format(enrollment_id=enrollment.id, course_id=enrollment.course.id)
    html = mail.alternatives[0][0]
    for body in (mail.body, html):
        assert enrollment.user.name in body and enrollment.course.name in body and link in body
        assert _local_date(getattr(stored, date_field)) in body
    expected_action = {"EXPIRED": "EXPIRED", "ARCHIVED": "ARCHIVED"}.get(status_after, "LIFECYCLE_SENT")
    assert audit_actions(enrollment.id, event=event) == [expected_action]

    t.tick(due + timedelta(hours=1))

    assert len(_mails(mailoutbox, enrollment, event)) == 1


def test_email__shows_the_date_in_the_tenant_time_zone(lifecycle_time, mailoutbox):
    t = lifecycle_time
    # Access ends at 01:30 UTC, which is the evening before in São Paulo.
    t.set(t.start.replace(hour=1, minute=30))
    enrollment = _enrolled(t)
    ends = clock.from_iso(enrollment.access_expires_at)

    t.tick(t.start + timedelta(days=3))

    [mail] = _mails(mailoutbox, enrollment, "reminder_no_access_3_days")
    local_day = formats.date_format((ends - timedelta(days=1)).date(), "DATE_FORMAT")
    assert local_day in mail.body and formats.date_format(ends.date(), "DATE_FORMAT") not in mail.body


def test_email__escapes_html_but_not_plain_text(lifecycle_time, mailoutbox):
    t = lifecycle_time
    course = make_course(name="Safety & <Heights>", access_period_days=35)
    enrollment = make_enrollment(course=course, person=make_person(name="Ana D'Ávila"))

    t.tick(t.start + timedelta(days=3))

    [mail] = _mails(mailoutbox, enrollment, "reminder_no_access_3_days")
    assert "Safety & <Heights>" in mail.subject and "Safety & <Heights>" in mail.body and "Ana D'Ávila" in mail.body
    assert "Safety &amp; &lt;Heights&gt;" in mail.alternatives[0][0]


def test_canceled_enrollment__without_notice__receives_nothing(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _enrolled(t)
    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF, notify_learner=False)

    t.tick(t.start + timedelta(days=40))

    assert _mails(mailoutbox, enrollment) == []
    assert selectors.enrollment_get(enrollment.id).status == "CANCELED"
    assert record(enrollment.id, "cancel_notice") is None


def test_canceled_enrollment__with_notice__receives_the_cancel_notice_once_and_nothing_else(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _enrolled(t)
    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF)

    for day in (0, 3, 5, 35, 40):
        t.tick(t.start + timedelta(days=day))

    [mail] = _mails(mailoutbox, enrollment)
    assert mail.extra_headers["X-Lifecycle-Event"] == "cancel_notice"
    assert mail.extra_headers["Message-ID"] == record(enrollment.id, "cancel_notice").message_id
    assert record(enrollment.id, "welcome") is None  # the cancel removed it before any tick
    # Enrolled and canceled at the same frozen moment: their order in the audit trail is the random suffix's.
    assert sorted(audit_actions(enrollment.id)) == ["CANCELED", "ENROLLED", "LIFECYCLE_SENT"]
    assert audit_actions(enrollment.id, event="cancel_notice") == ["LIFECYCLE_SENT"]


def test_welcome__of_an_enrollment_canceled_after_it_was_sent__then_only_the_cancel_notice(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _enrolled(t)
    t.tick(t.start)
    t.set(t.start + timedelta(days=1))
    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF)

    for day in (1, 3, 5, 35, 40):
        t.tick(t.start + timedelta(days=day))

    assert [m.extra_headers["X-Lifecycle-Event"] for m in _mails(mailoutbox, enrollment)] == [
        "welcome",
        "cancel_notice",
    ]


def test_welcome__enrolled_without_it__no_welcome_and_the_reminders_as_before(lifecycle_time, mailoutbox):
    t = lifecycle_time
    company, course = make_company(billing="postpaid"), make_course(access_period_days=35)
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF, welcome=False)

    t.tick(t.start)
    t.tick(t.start + timedelta(days=3))

    assert [m.extra_headers["X-Lifecycle-Event"] for m in _mails(mailoutbox, enrollment)] == [
        "reminder_no_access_3_days"
    ]
    assert record(enrollment.id, "welcome") is None


@pytest.mark.parametrize("status", ["CANCELED", "EXPIRED", "ARCHIVED"])
def test_welcome__of_an_enrollment_closed_before_it_went_out__is_skipped(lifecycle_time, mailoutbox, status):
    t = lifecycle_time
    enrollment = _enrolled(t)
    # Closed behind the scheduler's back (a stale record): the rules decide on the enrollment as it is now.
    EnrollmentItem(*keys.enrollment(enrollment.id)).update(actions=[EnrollmentItem.status.set(status)])

    t.tick(t.start)

    skipped = record(enrollment.id, "welcome")
    assert skipped.state == "SKIPPED" and _mails(mailoutbox, enrollment) == []


def test_cancel_notice__of_an_enrollment_not_canceled__is_skipped(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _enrolled(t)
    stray = lifecycle_record(enrollment=enrollment, event="cancel_notice", due_at=t.start, now=t.start)
    stray.save()

    t.tick(t.start)

    assert record(enrollment.id, "cancel_notice").state == "SKIPPED"
    assert [m.extra_headers["X-Lifecycle-Event"] for m in _mails(mailoutbox, enrollment)] == ["welcome"]


def test_canceled_after_the_tick_handed_it_out__sends_nothing(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _enrolled(t)
    handed_out = []
    t.tick(t.start + timedelta(days=3), dispatch=handed_out.extend)
    # Only the earliest pending record is in the ``due`` index: the welcome (the reminder waits for its mark).
    assert (enrollment.id, "schedules#welcome") in handed_out

    cancel(enrollment_id=enrollment.id, reason="Wrong person", author=STAFF)

    outcomes = lifecycle_records_process(keys=handed_out)

    assert _mails(mailoutbox, enrollment) == []
    assert outcomes == {"not_claimed": len(handed_out)}


def test_no_access_reminder__of_someone_who_accessed__is_skipped_with_a_reason(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _accessed(t)
    # A record left from before the access (written by an older process, say).
    stale = lifecycle_record(
        enrollment=selectors.enrollment_get(enrollment.id),
        event="reminder_no_access_3_days",
        due_at=t.start + timedelta(days=3),
        now=t.start,
    )
    stale.save()

    t.tick(t.start + timedelta(days=3))

    skipped = record(enrollment.id, "reminder_no_access_3_days")
    assert skipped.state == "SKIPPED" and skipped.skip_reason == "the learner has accessed the course"
    assert skipped.due_shard is None
    assert _mails(mailoutbox, enrollment, "reminder_no_access_3_days") == []
    assert "LIFECYCLE_SKIPPED" in audit_actions(enrollment.id)


def test_no_activity__activity_moves_it_to_seven_days_after_the_last_one(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _accessed(t)
    t.set(t.start + timedelta(days=5))
    record_activity(enrollment_id=enrollment.id)
    due = t.start + timedelta(days=12)

    t.tick(t.start + timedelta(days=7, hours=2))
    t.tick(due - MINUTE)

    assert _mails(mailoutbox, enrollment, "no_activity_7_days") == []

    t.tick(due)

    assert len(_mails(mailoutbox, enrollment, "no_activity_7_days")) == 1


def test_course_expired__of_an_enrollment_in_progress__expires_it(lifecycle_time, mailoutbox):
    t = lifecycle_time
    enrollment = _accessed(t)

    t.tick(t.start + timedelta(days=35))

    assert selectors.enrollment_get(enrollment.id).status == "EXPIRED"
    assert len(_mails(mailoutbox, enrollment, "course_expired")) == 1
