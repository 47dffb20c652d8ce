"""Who is due for renewal, on DynamoDB Local with the clock frozen: the window on the day, the preview's lists and
refusals, seats counted per course."""

from datetime import timedelta

import pytest

from enrollments import clock, rules, selectors
from enrollments.renewals import selectors as renewals
from enrollments.renewals.services import renewal_enroll
from enrollments.services import cancel, course_create, enroll, record_access
from enrollments.tests.factories import make_company, make_course, make_order, make_person
from enrollments.tests.renewal_support import AUTHOR, certificate
from enrollments.tests.reports_support import process_due

pytestmark = pytest.mark.django_db


def _course(window: int | None = 60, **kwargs):
    return course_create(
        name=kwargs.pop("name", "NR-35"),
        access_period_days=kwargs.pop("access_period_days", 90),
        certificate_validity_days=730,
        renewal_window_days=window,
        **kwargs,
    )


def _ids(candidates) -> list[str]:
    return [candidate.certificate.id for candidate in candidates]


def test_preview__window_starts_today__due_a_day_before__not_due(frozen_clock):
    company, course = make_company(billing="postpaid"), _course(window=60)
    now = frozen_clock.now
    on_the_day = certificate(company, course, now=now, expires_in=60)
    tomorrow = certificate(company, course, now=now, expires_in=61)

    due_now = renewals.renewal_preview(company=company, now=now)
    with clock.frozen(now - timedelta(days=1)):
        due_yesterday = renewals.renewal_preview(company=company, now=clock.now())
    due_tomorrow = renewals.renewal_preview(company=company, now=now + timedelta(days=1))

    assert _ids(due_now.renewable) == [on_the_day.id] and due_now.refused == []
    assert _ids(due_yesterday.renewable) == []
    assert _ids(due_tomorrow.renewable) == [on_the_day.id, tomorrow.id]


def test_preview__course_without_a_window__the_setting_s_default(frozen_clock, settings):
    settings.RENEWAL_WINDOW_DEFAULT_DAYS = 20
    company, course = make_company(billing="postpaid"), make_course(certificate_validity_days=730)
    now = frozen_clock.now
    inside = certificate(company, course, now=now, expires_in=20)
    certificate(company, course, now=now, expires_in=21)

    assert _ids(renewals.renewal_preview(company=company, now=now).renewable) == [inside.id]


def test_preview__bucket__renewable_soonest_first_and_each_refusal_with_what_is_in_the_way(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="prepaid"), _course(window=60)
    make_order(company, course, seats=6)  # the six first enrollments
    soonest = certificate(company, course, now=now, expires_in=5)
    second = certificate(company, course, now=now, expires_in=10)
    no_seat = certificate(company, course, now=now, expires_in=15)
    active = certificate(company, course, now=now, expires_in=20)
    renewed = certificate(company, course, now=now, expires_in=25)
    # A deduplication lock of 90 days taken 2 days ago by the enrollment that made this certificate.
    locked = certificate(company, course, now=now, expires_in=28, completed_days_ago=1, window_days=0)
    make_order(company, course, seats=4)
    again = enroll(tenant_id=company.id, course_id=course.id, user=_person_of(active), author=AUTHOR, enroll_again=True)
    renewal = renewal_enroll(renewed=renewed, author=AUTHOR, source="test")
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 2  # 4 bought, 2 taken since

    preview = renewals.renewal_preview(company=company, now=now, course_id=course.id, bucket=rules.EXPIRING_30)

    assert _ids(preview.renewable) == [soonest.id, second.id]
    refused = {candidate.certificate.id: (candidate.refusal, candidate.blocking_id) for candidate in preview.refused}
    assert refused == {
        no_seat.id: (rules.NO_SEAT, None),
        active.id: (rules.ACTIVE_ENROLLMENT, again.id),
        renewed.id: (rules.ALREADY_RENEWED, renewal.id),
        locked.id: (rules.DEDUPLICATION, locked.id),
    }
    [seats] = preview.seats
    assert (seats.course.id, seats.renewals, seats.available, seats.short) == (course.id, 3, 2, 1)
    assert preview.job_certificate_ids()[:2] == [soonest.id, second.id]
    assert set(preview.job_certificate_ids()) == {soonest.id, second.id, no_seat.id, active.id, renewed.id, locked.id}


def _person_of(enrollment):
    return make_person(name=enrollment.user.name, email=enrollment.user.email, cpf=enrollment.user.cpf)


def test_preview__bucket_past_the_window__listed_as_not_due_with_the_day_it_opens_and_left_out_of_a_job(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="postpaid"), _course(window=40)
    due = certificate(company, course, now=now, expires_in=39)
    later = certificate(company, course, now=now, expires_in=50)

    preview = renewals.renewal_preview(company=company, now=now, course_id=course.id, bucket=rules.EXPIRING_60)

    assert _ids(preview.renewable) == [due.id]
    [not_due] = preview.refused
    assert (not_due.certificate.id, not_due.refusal) == (later.id, rules.NOT_DUE)
    assert not_due.window_starts == now + timedelta(days=10)
    assert preview.job_certificate_ids() == [due.id]


def test_preview__most_recent_certificate_only__a_later_expired_try_keeps_it_due_a_canceled_one_too(frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="postpaid"), _course(window=60, access_period_days=30)
    old = certificate(company, course, now=now, expires_in=-400, completed_days_ago=800)
    newest = certificate(company, course, now=now, expires_in=-3, person=_person_of(old), completed_days_ago=400)
    # After it: an enrollment whose access ended without a completion (the scheduler expired it), and a canceled one.
    with clock.frozen(now - timedelta(days=60)):
        expired = enroll(tenant_id=company.id, course_id=course.id, user=_person_of(old), author=AUTHOR)
    process_due(expired.id, until=now - timedelta(days=3))
    assert selectors.enrollment_get(expired.id).status == rules.EXPIRED
    with clock.frozen(now - timedelta(days=2)):
        canceled = enroll(tenant_id=company.id, course_id=course.id, user=_person_of(old), author=AUTHOR)
        cancel(enrollment_id=canceled.id, reason="Wrong", author=AUTHOR)

    preview = renewals.renewal_preview(company=company, now=now)

    assert _ids(preview.renewable) == [newest.id] and preview.refused == []
    assert preview.renewable[0].bucket == rules.CERTIFICATE_EXPIRED


def test_preview__whole_company__every_course_by_its_own_window_seats_per_course(frozen_clock):
    now = frozen_clock.now
    company = make_company(billing="prepaid")
    nr35, nr10 = _course(window=30, name="NR-35"), _course(window=90, name="NR-10")
    make_order(company, nr35, seats=2)
    make_order(company, nr10, seats=2)
    nr35_due = certificate(company, nr35, now=now, expires_in=30)
    certificate(company, nr35, now=now, expires_in=31)
    nr10_due = certificate(company, nr10, now=now, expires_in=31)
    nr10_expired = certificate(company, nr10, now=now, expires_in=-1)
    make_order(company, nr10, seats=5)
    make_order(company, nr35, seats=1)
    # A person in progress is no certificate; another company's people are not this company's.
    with clock.frozen(now - timedelta(days=3)):
        studying = enroll(tenant_id=company.id, course_id=nr10.id, user=make_person(), author=AUTHOR)
        record_access(enrollment_id=studying.id)
    other = make_company(billing="postpaid")
    certificate(other, nr10, now=now, expires_in=1)

    preview = renewals.renewal_preview(company=company, now=now)

    assert _ids(preview.renewable) == [nr10_expired.id, nr35_due.id, nr10_due.id]
    seats = [(row.course.name, row.renewals, row.available, row.short) for row in preview.seats]
    assert seats == [("NR-10", 2, 4, 0), ("NR-35", 1, 1, 0)]  # the person studying took one NR-10 seat


def test_preview__retired_course__listed_as_refused_because_retired_needing_no_seat(frozen_clock):
    from enrollments.services.catalog import course_retire

    company, course = make_company(billing="prepaid"), _course(window=60)
    make_order(company, course, seats=1)
    now = frozen_clock.now
    due = certificate(company, course, now=now, expires_in=30)
    course_retire(course_id=course.id, author=AUTHOR)

    preview = renewals.renewal_preview(company=company, now=now)

    assert preview.renewable == []
    assert [(c.certificate.id, c.refusal) for c in preview.refused] == [(due.id, rules.COURSE_RETIRED)]
