"""The audit trail shows stored details and reasons in the reader's language, with local times."""

from django.utils import translation

from enrollments.templatetags.audit import audit_detail, audit_reason


def test_audit_detail__occurred_at__local_time_not_the_stored_utc_string(settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    stored = "occurred at 2026-11-27T19:43:34.393029Z"

    with translation.override("pt-br"):
        shown = audit_detail(stored)

    assert "27/11/2026 16:43" in shown and "2026-11-27T" not in shown


def test_audit_detail__completion__certificate_date_in_words_of_the_language(settings):
    settings.TIME_ZONE = "America/Sao_Paulo"

    shown = audit_detail("occurred at 2026-03-05T12:00:00.000000Z, certificate expires at 2027-03-06T02:59:59.999999Z")

    assert shown == "occurred at 03/05/2026 9 a.m.; certificate valid through 03/05/2027"


def test_audit_detail__lifecycle_events__named_in_words():
    assert audit_detail("course_expired after 5 attempts") == "Access period over, after 5 attempts"
    assert audit_detail("course_expired after 1 attempts") == "Access period over, after 1 attempt"
    assert audit_detail("reminder_no_access_3_days") == "Reminder: no access after 3 days"


def test_audit_reason__scheduler_reasons_translated__a_persons_reason_as_written():
    assert audit_reason("the enrollment is EXPIRED") == "the enrollment is expired"
    assert audit_reason("Left the company") == "Left the company"
    assert audit_reason(None) == ""
