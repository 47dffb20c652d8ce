"""The rules without I/O: which enrollments may be canceled or completed, which windows a course allows."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation

from enrollments import clock, labels, rules
from enrollments.exceptions import InvalidEnrollmentData


def _enrollment(status: str):
    return SimpleNamespace(id="e1", status=status)


def _partition(status: str, *, cancel_policy: bool = True):
    return SimpleNamespace(enrollment=_enrollment(status), cancel_policy=object() if cancel_policy else None)


@pytest.mark.parametrize("status", rules.ACTIVE_STATES)
def test_completion_refusal__pending_or_in_progress__none(status):
    assert rules.completion_refusal(_enrollment(status)) is None


@pytest.mark.parametrize("status", [rules.COMPLETED, *rules.TERMINAL_STATES])
def test_completion_refusal__any_other_state__says_why_with_the_state_in_words(status):
    refusal = rules.completion_refusal(_enrollment(status))

    assert "only a pending or in-progress enrollment can be completed" in refusal
    assert status not in refusal  # the words staff read, not the stored code


def test_cancel_refusal__pending_with_its_cancel_policy__none():
    assert rules.cancel_refusal(_partition(rules.PENDING)) is None


@pytest.mark.parametrize(
    ("partition", "words"),
    [
        (_partition(rules.CANCELED), "already canceled"),
        (_partition(rules.EXPIRED), "can no longer be canceled"),
        (_partition(rules.ARCHIVED), "can no longer be canceled"),
        (_partition(rules.IN_PROGRESS, cancel_policy=False), "has already accessed the course"),
    ],
)
def test_cancel_refusal__closed_or_accessed__says_why(partition, words):
    assert words in rules.cancel_refusal(partition)


def test_cancel_refusal__expired_in_pt_br__the_state_in_words_agreeing_with_matricula():
    with translation.override("pt-br"):
        refusal = rules.cancel_refusal(_partition(rules.EXPIRED))

    assert "está expirada e não pode mais ser cancelada" in refusal and "EXPIRED" not in refusal


def test_check_window__from_zero_to_one_day_short_of_the_access_period():
    course = SimpleNamespace(access_period_days=30)
    for days in (None, 0, 29):
        rules.check_window(days, course)
    for days in (-1, 30, True, "5"):
        with pytest.raises(InvalidEnrollmentData) as raised:
            rules.check_window(days, course)
        assert raised.value.field == "deduplication_window_days"


def test_enrollment_schedule__short_course__no_30_day_reminder_due_before_the_enrollment():
    from datetime import UTC, datetime, timedelta

    at = datetime(2026, 1, 1, tzinfo=UTC)

    assert rules.enrollment_schedule(access_period_days=30, enrolled_at=at) == {
        rules.REMINDER_NO_ACCESS_3_DAYS: at + timedelta(days=3),
        rules.COURSE_EXPIRED: at + timedelta(days=30),
    }
    assert rules.enrollment_schedule(access_period_days=31, enrolled_at=at)[rules.ACCESS_PERIOD_REMINDER_30_DAYS] == (
        at + timedelta(days=1)
    )


# Compliance buckets.

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _at(days: float) -> str:
    return clock.to_iso(NOW + timedelta(days=days))


def _report_enrollment(status, *, person="p1", certificate=None, access=90.0):
    return SimpleNamespace(
        status=status,
        user=SimpleNamespace(id=person),
        certificate_expires_at=_at(certificate) if certificate is not None else None,
        access_expires_at=_at(access),
    )


@pytest.mark.parametrize(
    ("status", "certificate", "access", "bucket"),
    [
        (rules.COMPLETED, 200, -10, rules.VALID),
        (rules.COMPLETED, 90.5, -10, rules.VALID),
        (rules.COMPLETED, 90, -10, rules.EXPIRING_90),
        (rules.COMPLETED, 60, -10, rules.EXPIRING_60),
        (rules.COMPLETED, 31, -10, rules.EXPIRING_60),
        (rules.COMPLETED, 30, -10, rules.EXPIRING_30),
        (rules.COMPLETED, 0.01, -10, rules.EXPIRING_30),
        (rules.COMPLETED, 0, -10, rules.CERTIFICATE_EXPIRED),  # expiry past, not archived yet
        (rules.COMPLETED, None, -10, rules.VALID),
        (rules.ARCHIVED, -5, -10, rules.CERTIFICATE_EXPIRED),
        (rules.IN_PROGRESS, None, 10, rules.STUDYING),
        (rules.IN_PROGRESS, None, -1, rules.ACCESS_ENDED),  # access over, the scheduler not there yet
        (rules.PENDING, None, 10, rules.NOT_STARTED),
        (rules.PENDING, None, 0, rules.ACCESS_ENDED),
        (rules.EXPIRED, None, -1, rules.ACCESS_ENDED),
        (rules.CANCELED, 200, 10, None),
    ],
)
def test_compliance_bucket__each_state_and_date__its_bucket(status, certificate, access, bucket):
    assert (
        rules.compliance_bucket(_report_enrollment(status, certificate=certificate, access=access), now=NOW) == bucket
    )


def test_people_buckets__several_enrollments_of_one_person__the_latest_not_canceled_decides_once():
    newest_first = [
        _report_enrollment(rules.CANCELED, person="a"),
        _report_enrollment(rules.IN_PROGRESS, person="a"),
        _report_enrollment(rules.PENDING, person="b"),
        _report_enrollment(rules.ARCHIVED, person="a", certificate=-5),
        _report_enrollment(rules.CANCELED, person="c"),
        _report_enrollment(rules.CANCELED, person="d"),
        _report_enrollment(rules.COMPLETED, person="d", certificate=200),
    ]

    decided = [(enrollment.user.id, bucket) for enrollment, bucket in rules.people_buckets(newest_first, now=NOW)]

    assert decided == [("a", rules.STUDYING), ("b", rules.NOT_STARTED), ("d", rules.VALID)]


@pytest.mark.parametrize(
    "source, job",
    [
        ("csv:1b4e28ba-2fa1-11d2-883f-0016d3cca427", ("csv", "1b4e28ba-2fa1-11d2-883f-0016d3cca427")),
        ("bulk_cancel:abc", ("bulk_cancel", "abc")),
        ("form", None),
        ("scheduler", None),
        ("csv:", None),
        ("other:abc", None),
        (None, None),
    ],
)
def test_source_job__a_job_s_source__its_kind_and_id_else_none(source, job):
    assert rules.source_job(source) == job


def test_job_source__read_back_by_source_job():
    assert rules.source_job(rules.job_source(rules.IMPORT_SOURCE, "j1")) == ("csv", "j1")
    assert rules.job_source(rules.BULK_CANCEL_SOURCE, "j2") == "bulk_cancel:j2"


# Renewal ("reciclagem").

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _certificate(*, expires_in_days: float | None, status: str = rules.COMPLETED, enrollment_id: str = "cert"):
    expires = clock.to_iso(NOW + timedelta(days=expires_in_days)) if expires_in_days is not None else None
    return SimpleNamespace(id=enrollment_id, status=status, certificate_expires_at=expires, renews=None)


def _later(status: str, *, enrollment_id: str = "later", renews: str | None = None):
    return SimpleNamespace(id=enrollment_id, status=status, certificate_expires_at=None, renews=renews)


def test_renewal_window_start__days_before_the_expiry():
    assert rules.renewal_window_start("2026-05-01T12:00:00.000000Z", 60) == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_renewal_due__window_starts_now__due_a_day_later_start__not_due():
    on_the_day = _certificate(expires_in_days=60)
    tomorrow = _certificate(expires_in_days=61)

    assert rules.renewal_due(on_the_day, window_days=60, now=NOW)
    assert not rules.renewal_due(on_the_day, window_days=60, now=NOW - timedelta(days=1))
    assert not rules.renewal_due(tomorrow, window_days=60, now=NOW)
    assert rules.renewal_due(tomorrow, window_days=60, now=NOW + timedelta(days=1))


@pytest.mark.parametrize(
    "certificate",
    [
        _certificate(expires_in_days=-10, status=rules.ARCHIVED),
        _certificate(expires_in_days=-10),  # expired, not archived yet
    ],
)
def test_renewal_due__expired_certificate__due(certificate):
    assert rules.renewal_due(certificate, window_days=1, now=NOW)


@pytest.mark.parametrize(
    "enrollment",
    [
        _certificate(expires_in_days=None),
        _certificate(expires_in_days=5, status=rules.IN_PROGRESS),
        _certificate(expires_in_days=5, status=rules.CANCELED),
    ],
)
def test_renewal_due__no_certificate_or_no_expiry__never_due(enrollment):
    assert not rules.renewal_due(enrollment, window_days=730, now=NOW)


def test_renewal_window_days__course_s_own_else_the_setting(settings):
    settings.RENEWAL_WINDOW_DEFAULT_DAYS = 45

    assert rules.renewal_window_days(SimpleNamespace(renewal_window_days=90)) == 90
    assert rules.renewal_window_days(SimpleNamespace(renewal_window_days=None)) == 45
    assert rules.renewal_window_days(SimpleNamespace()) == 45


def test_renewal_enrollment_id__same_for_the_same_certificate_a_uuid_others_differ():
    first = rules.renewal_enrollment_id("3f2b9a1e-0000-4000-8000-000000000001")

    assert first == rules.renewal_enrollment_id("3f2b9a1e-0000-4000-8000-000000000001")
    assert rules.is_uuid_id(first)
    assert first != rules.renewal_enrollment_id("3f2b9a1e-0000-4000-8000-000000000002")


def test_renewal_enrollment_id__pinned__a_certificate_renewed_before_an_upgrade_keeps_its_renewal_id():
    assert rules.renewal_enrollment_id("3f2b9a1e-0000-4000-8000-000000000001") == "8acfdf54-57ef-5c50-83db-61beae75788f"


def test_renewal_refusal__due_with_nothing_in_the_way__none():
    assert rules.renewal_refusal(_certificate(expires_in_days=10), now=NOW, window_days=60) is None


@pytest.mark.parametrize(
    "later, kwargs, refusal",
    [
        ([_later(rules.CANCELED, enrollment_id=rules.renewal_enrollment_id("cert"))], {}, rules.ALREADY_RENEWED),
        ([_later(rules.PENDING, renews="cert")], {}, rules.ALREADY_RENEWED),
        ([_later(rules.COMPLETED)], {}, rules.ALREADY_RENEWED),
        ([_later(rules.IN_PROGRESS)], {}, rules.ACTIVE_ENROLLMENT),
        ([], {"active": True}, rules.ACTIVE_ENROLLMENT),
        ([], {"locked_until": clock.to_iso(NOW + timedelta(days=3))}, rules.DEDUPLICATION),
        ([], {"seat_free": False}, rules.NO_SEAT),
    ],
)
def test_renewal_refusal__each_reason(later, kwargs, refusal):
    assert rules.renewal_refusal(_certificate(expires_in_days=10), now=NOW, window_days=60, later=later, **kwargs) == (
        refusal
    )


def test_renewal_refusal__canceled_or_expired_later_enrollment_and_a_lifted_lock__still_due():
    later = [_later(rules.CANCELED), _later(rules.EXPIRED, enrollment_id="other")]

    refusal = rules.renewal_refusal(
        _certificate(expires_in_days=-3),
        now=NOW,
        window_days=60,
        later=later,
        locked_until=clock.to_iso(NOW - timedelta(seconds=1)),
    )

    assert refusal is None


def test_renewal_refusal__outside_the_window__not_due():
    assert rules.renewal_refusal(_certificate(expires_in_days=61), now=NOW, window_days=60) == rules.NOT_DUE


@pytest.mark.parametrize(
    "bucket, window, may",
    [
        (rules.CERTIFICATE_EXPIRED, 1, True),
        (rules.EXPIRING_30, 1, True),
        (rules.EXPIRING_60, 30, False),
        (rules.EXPIRING_60, 31, True),
        (rules.EXPIRING_90, 60, False),
        (rules.EXPIRING_90, 61, True),
        (rules.VALID, 730, False),
        (rules.STUDYING, 730, False),
    ],
)
def test_renewal_may_be_due__bucket_and_window(bucket, window, may):
    assert rules.renewal_may_be_due(bucket, window) is may


def test_renewal_refusals__each_has_words():
    assert set(labels.RENEWAL_REFUSALS) == set(rules.RENEWAL_REFUSALS)


# Automatic renewal.


@pytest.mark.parametrize("status", [rules.COMPLETED, rules.ARCHIVED])
def test_decide__renewal_window_of_a_certificate__renew_without_an_email(status):
    record = SimpleNamespace(event=rules.RENEWAL_WINDOW)

    decision = rules.decide(record, SimpleNamespace(status=status), now=datetime(2030, 1, 1, tzinfo=UTC))

    assert (decision.send, decision.effect) == (False, rules.RENEW)


@pytest.mark.parametrize("status", [rules.PENDING, rules.IN_PROGRESS, rules.EXPIRED, rules.CANCELED])
def test_decide__renewal_window_without_a_certificate__skipped_saying_why(status):
    record = SimpleNamespace(event=rules.RENEWAL_WINDOW)

    decision = rules.decide(record, SimpleNamespace(status=status), now=datetime(2030, 1, 1, tzinfo=UTC))

    assert (decision.send, decision.effect) == (False, None) and decision.skip_reason


def test_sends_email__every_email_event_but_not_the_renewal_window():
    assert all(rules.sends_email(event) for event in rules.EVENTS)
    assert not rules.sends_email(rules.RENEWAL_WINDOW)
    assert set(rules.RECORD_EVENTS) == {*rules.EVENTS, rules.RENEWAL_WINDOW}
    assert set(labels.EVENTS) == set(rules.RECORD_EVENTS)


@pytest.mark.parametrize(
    ("auto_renew", "courses", "renews"),
    [
        (None, None, False),
        (False, {"nr35"}, False),
        (True, None, True),
        (True, set(), True),
        (True, {"nr35", "nr10"}, True),
        (True, {"nr10"}, False),
    ],
)
def test_auto_renews__on_and_every_course_or_the_courses_named(auto_renew, courses, renews):
    company = SimpleNamespace(auto_renew=auto_renew, auto_renew_courses=courses)

    assert rules.auto_renews(company, "nr35") is renews
