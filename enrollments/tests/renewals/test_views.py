"""Pages of renewals with the clock frozen: the report's Renew links, the preview (GET writes nothing), the
confirmation starting one job per form, the job's page, and the enrollment pages linking a renewal and its
certificate."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from enrollments import permissions, rules, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import RenewalListingItem
from enrollments.jobs import services as job_services
from enrollments.renewals import selectors as renewals
from enrollments.renewals import services
from enrollments.renewals.kind import RENEWAL
from enrollments.renewals.services import renewal_enroll
from enrollments.services import Author, course_create
from enrollments.tests.celery_support import drop_queue
from enrollments.tests.factories import STAFF, make_company, make_order
from enrollments.tests.recent_support import future_tick, staff_member
from enrollments.tests.renewal_support import certificate, keep

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_queue(settings):
    """A queue no worker reads: the renewals these pages start wait there, and their pages show them running."""
    settings.IMPORTS_QUEUE = "test-renewal-views-nobody"
    yield
    drop_queue(settings.IMPORTS_QUEUE)


def _course(window: int = 60):
    return course_create(name="NR-35", access_period_days=90, certificate_validity_days=730, renewal_window_days=window)


def _token(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)


def _listed_jobs() -> set[str]:
    return {item.job_id for item in RenewalListingItem.query(keys.RENEWALS)}


def _cell(html: str, course_id: str, bucket: str) -> str:
    row = html.split(f'data-course="{course_id}"', 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-bucket="{bucket}"', 1)[1].split("</td>", 1)[0]


def test_report__operator__renew_on_counts_that_may_be_due_and_for_every_person_due(client, login, frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="postpaid"), _course(window=60)
    for days in (10, 45, 80, -5):
        certificate(company, course, now=now, expires_in=days)
    login(permissions.OPERATORS)

    html = client.get(reverse("admin:compliance_report", args=[company.id])).content.decode()

    preview = reverse("admin:renewal_preview", args=[company.id])
    for bucket in (rules.EXPIRING_30, rules.EXPIRING_60, rules.CERTIFICATE_EXPIRED):
        cell = _cell(html, course.id, bucket)
        assert f'href="{preview}?course={course.id}&amp;bucket={bucket}" class="renew-link"' in cell, bucket
    # A 60-day window: nobody with 61 to 90 days left is due.
    assert "renew-link" not in _cell(html, course.id, rules.EXPIRING_90)
    assert f'href="{preview}" class="button renew-all-link"' in html


def test_report__viewer__no_renew_link(client, login, frozen_clock):
    company, course = make_company(billing="postpaid"), _course()
    certificate(company, course, now=frozen_clock.now, expires_in=10)
    login(permissions.VIEWERS)

    html = client.get(reverse("admin:compliance_report", args=[company.id])).content.decode()

    assert "renew-link" not in html and "renew-all-link" not in html
    assert client.get(reverse("admin:renewal_preview", args=[company.id])).status_code == 403


def test_people_of_an_expiring_count__operator__renew_link(client, login, frozen_clock):
    company, course = make_company(billing="postpaid"), _course()
    certificate(company, course, now=frozen_clock.now, expires_in=10)
    login(permissions.OPERATORS)

    html = client.get(
        reverse("admin:compliance_people", args=[company.id, course.id, rules.EXPIRING_30])
    ).content.decode()

    assert 'class="renew-link"' in html


def test_preview__lists_counts_and_seats_writes_nothing(client, login, frozen_clock):
    now = frozen_clock.now
    company, course = make_company(billing="prepaid"), _course()
    make_order(company, course, seats=3)
    first, second, third = (certificate(company, course, now=now, expires_in=days) for days in (3, 6, 9))
    make_order(company, course, seats=2)
    login(permissions.OPERATORS)
    before = _listed_jobs()

    response = client.get(
        reverse("admin:renewal_preview", args=[company.id]), {"course": course.id, "bucket": rules.EXPIRING_30}
    )

    html = response.content.decode()
    assert "2 people will be enrolled again." in html and "1 person cannot be renewed now." in html
    renewable = html.split('id="renewal-renewable"', 1)[1].split("</table>", 1)[0]
    assert renewable.index(first.id) < renewable.index(second.id) and third.id not in renewable
    refused = html.split('id="renewal-refused"', 1)[1].split("</table>", 1)[0]
    assert f'data-enrollment="{third.id}" data-refusal="no_seat"' in refused
    assert "No seat left (buy seats for the course)" in refused
    seats = html.split(f'class="renewal-seats-row" data-course="{course.id}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="count seats-needed">3</td>' in seats and '<td class="count seats-available">2</td>' in seats
    assert "Buy seats: 1 missing" in seats and reverse("admin:order_add") in seats
    assert 'value="Renew 2 people"' in html
    assert _listed_jobs() == before and renewals.later_enrollments(first) == []


def test_preview__pt_br__counts_and_reasons_in_portuguese(client, login, frozen_clock, settings):
    settings.LANGUAGE_CODE = "pt-br"
    now = frozen_clock.now
    company, course = make_company(billing="postpaid"), _course()
    renewed = certificate(company, course, now=now, expires_in=3)
    certificate(company, course, now=now, expires_in=4)
    renewal_enroll(renewed=renewed, author=STAFF, source="test")
    login(permissions.OPERATORS)

    html = client.get(reverse("admin:renewal_preview", args=[company.id]), HTTP_ACCEPT_LANGUAGE="pt-br").content
    html = html.decode()

    assert "1 pessoa será matriculada novamente." in html and "1 pessoa não pode ser renovada agora." in html
    assert "Já renovado" in html and 'value="Renovar 1 pessoa"' in html


def test_preview__unknown_count_or_course_alone__404(client, login):
    company = make_company()
    login(permissions.OPERATORS)
    url = reverse("admin:renewal_preview", args=[company.id])

    assert client.get(url, {"course": "nr-35-missing", "bucket": rules.EXPIRING_30}).status_code == 404
    assert client.get(url, {"course": "x", "bucket": rules.VALID}).status_code == 404
    assert client.get(url, {"course": "x"}).status_code == 404


def test_preview__confirm__starts_one_job_a_second_submit_finds_it(client, login, frozen_clock, no_queue):
    company, course = make_company(billing="postpaid"), _course()
    certificate(company, course, now=frozen_clock.now, expires_in=10)
    login(permissions.OPERATORS)
    url = reverse("admin:renewal_preview", args=[company.id])
    token = _token(client.get(url, {"course": course.id, "bucket": rules.EXPIRING_30}).content.decode())
    data = {"token": token, "course": course.id, "bucket": rules.EXPIRING_30}

    first = client.post(url, data, follow=True)
    second = client.post(url, data)

    detail = reverse("admin:renewal_detail", args=[token])
    assert first.redirect_chain[-1][0] == detail and second["Location"] == detail
    assert "The renewal started" in first.content.decode()
    job = renewals.renewal_get(token)
    assert (job.state, job.total, job.course_id, job.bucket, job.author.name) == (
        "RUNNING",
        1,
        course.id,
        rules.EXPIRING_30,
        "Staff Operators",
    )
    assert token in _listed_jobs()


def test_job_page__done__each_person_with_the_renewal_linked(client, login, frozen_clock, no_queue):
    now = frozen_clock.now
    company, course = make_company(billing="postpaid"), _course()
    renewed = certificate(company, course, now=now, expires_in=10)
    login(permissions.OPERATORS)
    url = reverse("admin:renewal_preview", args=[company.id])
    token = _token(client.get(url).content.decode())
    client.post(url, {"token": token})
    job_services.job_run_inline(RENEWAL, job_id=token)

    html = client.get(reverse("admin:renewal_detail", args=[token])).content.decode()

    row = html.split(f'data-enrollment="{renewed.id}" data-result="renewed"', 1)[1].split("</tr>", 1)[0]
    assert (
        "Renewed" in row and reverse("admin:enrollment_detail", args=[rules.renewal_enrollment_id(renewed.id)]) in row
    )
    assert 'id="renewal-renewed">1<' in html and 'id="renewal-refused">0<' in html
    renewal_page = client.get(reverse("admin:enrollment_detail", args=[rules.renewal_enrollment_id(renewed.id)]))
    assert f"(Renewal {token})" in renewal_page.content.decode()
    listed = client.get(reverse("admin:renewal_list")).content.decode()
    assert f'data-job="{token}"' in listed and company.name in listed


def test_enrollment_pages__the_renewal_names_its_certificate_the_certificate_its_renewal(client, login, frozen_clock):
    company, course = make_company(billing="postpaid"), _course()
    renewed = certificate(company, course, now=frozen_clock.now, expires_in=10)
    renewal = renewal_enroll(renewed=renewed, author=STAFF, source="test")
    login(permissions.VIEWERS)

    renewal_page = client.get(reverse("admin:enrollment_detail", args=[renewal.id])).content.decode()
    certificate_page = client.get(reverse("admin:enrollment_detail", args=[renewed.id])).content.decode()

    renews = renewal_page.split('id="enrollment-renews"', 1)[1].split("</dd>", 1)[0]
    assert reverse("admin:enrollment_detail", args=[renewed.id]) in renews
    assert f"Refresher training of enrollment {renewed.id}" in renews
    assert f"renews enrollment {renewed.id}" in renewal_page.split('id="audit"', 1)[1]
    renewed_by = certificate_page.split('id="enrollment-renewed-by"', 1)[1].split("</dd>", 1)[0]
    assert reverse("admin:enrollment_detail", args=[renewal.id]) in renewed_by and "Pending" in renewed_by
    assert selectors.enrollment_get(renewal.id).renews == renewed.id


def test_admin_index__my_renewal__said_with_its_people_and_company_linked_to_its_page(client, frozen_clock):
    user = staff_member(permissions.OPERATORS)
    future_tick(frozen_clock)
    company, course = make_company(billing="postpaid", name="Initech"), _course()
    for days in (3, 6):
        certificate(company, course, now=frozen_clock.now, expires_in=days)
    future_tick(frozen_clock)
    job = services.renewal_start(
        job_id=str(uuid.uuid4()), tenant_id=company.id, author=Author.from_user(user), enqueue=keep([])
    )
    client.force_login(user)

    page = client.get(reverse("admin:index")).content.decode()

    assert f'<a href="{reverse("admin:renewal_detail", args=[job.job_id])}">' in page
    assert "Renewal started — 2 people at Initech</a>" in page


def test_job_page__started_from_a_count__names_its_course_and_count(client, login, frozen_clock, no_queue):
    company, course = make_company(billing="postpaid"), _course()
    certificate(company, course, now=frozen_clock.now, expires_in=-2)
    login(permissions.OPERATORS)
    url = reverse("admin:renewal_preview", args=[company.id])
    selection = {"course": course.id, "bucket": rules.CERTIFICATE_EXPIRED}
    token = _token(client.get(url, selection).content.decode())
    client.post(url, {"token": token, **selection})

    html = client.get(reverse("admin:renewal_detail", args=[token])).content.decode()

    assert html.split('id="renewal-selection">', 1)[1].startswith("NR-35: Certificate expired.</dd>")


def test_preview__confirm_when_nobody_is_left__the_error_shows_no_job(client, login, frozen_clock):
    company, course = make_company(billing="postpaid"), _course(window=5)
    certificate(company, course, now=frozen_clock.now, expires_in=3)
    login(permissions.OPERATORS)
    url = reverse("admin:renewal_preview", args=[company.id])
    token = _token(client.get(url).content.decode())
    # A day before the window: nobody is due any more when the form is sent (the clock went back, say).
    frozen_clock.set(frozen_clock.now - timedelta(days=10))

    html = client.post(url, {"token": token}).content.decode()

    assert "Nobody here is due for renewal." in html.split('id="renewal-errors"', 1)[1]
    assert token not in _listed_jobs()
