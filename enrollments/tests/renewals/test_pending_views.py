"""Pages of automatic renewal with the clock frozen: the company's settings on its edit form, page and history; the
pending renewals page (who waits, seats per course, "Buy seats", "Renew now" twice); a certificate's page saying
what its renewal window record did, in English and pt-BR."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse

from enrollments import permissions, rules
from enrollments.services.catalog import course_retire
from enrollments.tests.auto_renewal_support import pending_ids, renewal_of, renewing_company, windowed_course
from enrollments.tests.factories import STAFF, make_company, make_cpf, make_order, make_person
from enrollments.tests.renewal_support import certificate
from enrollments.validators import format_cpf

pytestmark = pytest.mark.django_db

EXPIRES_IN, WINDOW = 100, 45


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _pending(t, *, people: int = 1, billing: str = "prepaid"):
    """Return a company whose ``people`` certificates wait for a seat since their window opened, its course and
    the certificates (soonest expiry first)."""
    company, course = (
        renewing_company(billing=billing, name="Acme Renova"),
        windowed_course(WINDOW, name="NR-35 Altura"),
    )
    make_order(company, course, seats=people)
    certs = [
        certificate(
            company,
            course,
            now=t.start,
            expires_in=EXPIRES_IN + n,
            completed_days_ago=0,
            person=make_person(name=f"Pessoa {n}", cpf=make_cpf()),
        )
        for n in range(people)
    ]
    t.tick(t.start + timedelta(days=EXPIRES_IN - WINDOW + people))
    assert pending_ids(company) == [c.id for c in certs]
    return company, course, certs


def _page(client, company, **headers):
    return client.get(reverse("admin:renewal_pending", args=[company.id]), **headers)


# The company's settings.


def test_company_edit__auto_renew_for_one_course__saved_shown_on_its_page_and_in_its_history(client, login):
    login(permissions.SUPERVISORS)
    company, course = make_company(billing="prepaid", name="Acme"), windowed_course(name="NR-35 Altura")
    data = {"name": "Acme", "cnpj": "", "language": "en", "revision": "0"}

    response = client.post(
        reverse("admin:company_edit", args=[company.id]),
        {**data, "auto_renew": "on", "auto_renew_courses": [course.id]},
        follow=True,
    )

    page = _text(response)
    assert response.redirect_chain[-1][0] == reverse("admin:company_detail", args=[company.id])
    assert "On, for NR-35 Altura" in page.split('id="company-auto-renew"', 1)[1].split("</dd>", 1)[0]
    history = page.split('id="history"', 1)[1]
    assert "Renews certificates automatically: Off → On" in history
    assert "Automatic renewal: courses: Every course → NR-35 Altura" in history
    assert reverse("admin:renewal_pending", args=[company.id]) in page


def test_company_edit__form__the_company_s_choice_and_open_courses_offered(client, login):
    login(permissions.SUPERVISORS)
    chosen, retired = windowed_course(name="NR-10 Chosen"), windowed_course(name="NR-12 Retired")
    company = renewing_company(courses=[chosen.id])
    course_retire(course_id=retired.id, author=STAFF)

    form = client.get(reverse("admin:company_edit", args=[company.id])).context["form"]

    assert form["auto_renew"].value() is True and form["auto_renew_courses"].value() == [chosen.id]
    offered = dict(form.fields["auto_renew_courses"].choices)
    assert chosen.id in offered and retired.id not in offered


def test_company_detail__auto_renew_off__says_so(client, login):
    login(permissions.VIEWERS)
    company = make_company()

    page = _text(client.get(reverse("admin:company_detail", args=[company.id])))

    assert page.split('id="company-auto-renew">', 1)[1].startswith("Off</dd>")


# The pending renewals page.


def test_pending_page__operator__who_waits_since_when_seats_per_course_and_buy_seats(client, login, lifecycle_time):
    company, course, [cert] = _pending(lifecycle_time)
    login(permissions.OPERATORS)

    page = _text(_page(client, company))

    row = page.split(f'data-enrollment="{cert.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Pessoa 0" in row and format_cpf(cert.user.cpf) in row and "NR-35 Altura" in row
    assert f'name="renewed" value="{cert.id}"' in row
    assert "1 person waits for a seat to be renewed." in page
    seats = page.split(f'class="pending-seats-row" data-course="{course.id}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="count pending-waiting">1</td>' in seats and '<td class="count seats-available">0</td>' in seats
    buy = f"{reverse('admin:order_add')}?company={company.id}&course={course.id}"
    assert f'href="{buy}"' in seats
    assert 'id="renew-selected"' in page and 'id="renew-all-pending"' in page
    assert 'id="pending-auto-renew-off"' not in page


def test_pending_page__viewer__reads_it_without_boxes_buttons_or_buy_links_and_may_not_post(
    client, login, lifecycle_time
):
    company, _course, [cert] = _pending(lifecycle_time)
    login(permissions.VIEWERS)

    page = _text(_page(client, company))
    posted = client.post(reverse("admin:renewal_pending", args=[company.id]), {"which": "all"})

    assert "Pessoa 0" in page and 'name="renewed"' not in page
    assert 'id="renew-all-pending"' not in page and "buy-seats" not in page
    assert posted.status_code == 403 and pending_ids(company) == [cert.id]


def test_pending_page__renew_now_without_a_seat__says_so_and_they_keep_waiting(client, login, lifecycle_time):
    company, _course, [cert] = _pending(lifecycle_time)
    login(permissions.OPERATORS)

    response = client.post(
        reverse("admin:renewal_pending", args=[company.id]), {"which": "selected", "renewed": [cert.id]}, follow=True
    )

    assert "No seat left (buy seats for the course): Pessoa 0." in _text(response)
    assert pending_ids(company) == [cert.id] and renewal_of(cert) is None


def test_pending_page__renew_every_one_now_twice__renewed_once_then_nobody_left(client, login, lifecycle_time, workers):
    company, course, certs = _pending(lifecycle_time, people=3)
    make_order(company, course, seats=2)  # its queued task is not run: staff renew first
    user = login(permissions.OPERATORS)
    url = reverse("admin:renewal_pending", args=[company.id])

    first = _text(client.post(url, {"which": "all"}, follow=True))
    second = _text(client.post(url, {"which": "all"}, follow=True))

    assert "2 people renewed." in first and "No seat left (buy seats for the course): Pessoa 2." in first
    assert [renewal_of(c) is not None for c in certs] == [True, True, False]
    assert renewal_of(certs[0]).created_by.id == str(user.pk)
    assert pending_ids(company) == [certs[2].id]
    assert "people renewed" not in second and "No seat left (buy seats for the course): Pessoa 2." in second
    assert "1 person waits for a seat to be renewed." in second


def test_pending_page__the_same_selection_sent_twice__the_second_renews_nobody(client, login, lifecycle_time, workers):
    company, course, [cert] = _pending(lifecycle_time)
    make_order(company, course, seats=1)
    login(permissions.OPERATORS)
    url = reverse("admin:renewal_pending", args=[company.id])

    client.post(url, {"which": "selected", "renewed": [cert.id]})
    second = _text(client.post(url, {"which": "selected", "renewed": [cert.id]}, follow=True))

    assert "Nobody of those waits for a renewal any more: nothing to do." in second
    assert renewal_of(cert) is not None and pending_ids(company) == []


def test_pending_page__nobody_ticked_or_not_an_enrollment__form_error_nothing_renewed(client, login, lifecycle_time):
    company, _course, [cert] = _pending(lifecycle_time)
    login(permissions.OPERATORS)
    url = reverse("admin:renewal_pending", args=[company.id])

    nobody = _text(client.post(url, {"which": "selected"}))
    wrong = _text(client.post(url, {"which": "selected", "renewed": ["user#x@example.com"]}))

    assert "Tick the people to renew, or renew every one." in nobody
    assert "These are not enrollments." in wrong
    assert pending_ids(company) == [cert.id]


def test_pending_page__nobody_waiting_auto_renew_off__says_both(client, login):
    company = make_company(billing="postpaid")
    login(permissions.SUPERVISORS)

    page = _text(_page(client, company))

    assert "Nobody waits for a seat to be renewed." in page and "0 people wait" in page
    assert 'id="pending-auto-renew-off"' in page and reverse("admin:company_edit", args=[company.id]) in page


def test_pending_page__pt_br__in_portuguese(client, login, lifecycle_time):
    company, _course, _certs = _pending(lifecycle_time)
    login(permissions.OPERATORS)

    page = _text(_page(client, company, HTTP_ACCEPT_LANGUAGE="pt-br"))

    assert "Renovações pendentes em Acme Renova" in page
    assert "1 pessoa aguarda uma vaga para ser renovada." in page
    assert "Comprar vagas" in page and "Aguardando desde" in page and "Renovar todas agora" in page


def test_report__links_the_pending_renewals_page(client, login):
    company = make_company()
    login(permissions.VIEWERS)

    page = _text(client.get(reverse("admin:compliance_report", args=[company.id])))

    assert reverse("admin:renewal_pending", args=[company.id]) in page.split('id="pending-renewals"', 1)[1]


# A certificate's page.


def test_certificate_page__renewed_automatically__its_record_done_and_the_audit_trail_in_words(
    client, login, lifecycle_time
):
    t = lifecycle_time
    company, course = renewing_company(billing="postpaid"), windowed_course(WINDOW)
    cert = certificate(company, course, now=t.start, expires_in=EXPIRES_IN, completed_days_ago=0)
    t.tick(t.start + timedelta(days=EXPIRES_IN - WINDOW))
    renewal = renewal_of(cert)
    login(permissions.VIEWERS)

    page = _text(client.get(reverse("admin:enrollment_detail", args=[cert.id])))
    portuguese = _text(client.get(reverse("admin:enrollment_detail", args=[cert.id]), HTTP_ACCEPT_LANGUAGE="pt-br"))

    record = page.split('id="lifecycle"', 1)[1].split("Renewal window opens (automatic renewal)", 1)[1]
    assert record.split("</tr>", 1)[0].count("<td>Done</td>") == 1
    assert "email-preview-renewal_window" not in page  # no email to preview
    assert "Renewed automatically" in page and f"renewed by enrollment {renewal.id}" in page
    assert "Renovação automática realizada" in portuguese and f"renovado pela matrícula {renewal.id}" in portuguese
    html_part = client.get(reverse("admin:enrollment_email_html", args=[cert.id, rules.RENEWAL_WINDOW]))
    assert html_part.status_code == 404


def test_certificate_page__company_without_auto_renew__skipped_with_the_reason_in_portuguese(
    client, login, lifecycle_time
):
    t = lifecycle_time
    company, course = make_company(billing="postpaid"), windowed_course(WINDOW)
    cert = certificate(company, course, now=t.start, expires_in=EXPIRES_IN, completed_days_ago=0)
    t.tick(t.start + timedelta(days=EXPIRES_IN - WINDOW))
    login(permissions.VIEWERS)

    portuguese = _text(client.get(reverse("admin:enrollment_detail", args=[cert.id]), HTTP_ACCEPT_LANGUAGE="pt-br"))

    assert "Renovação automática não realizada" in portuguese
    assert "a empresa não renova certificados automaticamente" in portuguese
