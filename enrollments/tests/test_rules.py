"""The rules without I/O: which enrollments may be canceled or completed, which windows a course allows."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation

from enrollments import clock, rules
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
