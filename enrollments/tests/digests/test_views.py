"""The compliance digest's pages: the company page's box, HR contacts added, edited and removed, the digest's period
on the company's edit page, the preview and its frame, "send now", a failed digest listed and sent again."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from enrollments import clock, permissions, rules
from enrollments.digests import delivery, selectors, services
from enrollments.permissions import sync_groups
from enrollments.services.catalog import company_create
from enrollments.tests.digest_support import XLSX, add_contact, local, sheet_rows, turn_digest_on
from enrollments.tests.factories import STAFF, make_company, make_course, make_person
from enrollments.tests.reports_support import COMPLETE, make_enrollment
from enrollments.tests.request_support import post_at_once
from scripts.dynamodb_local import free_port

pytestmark = pytest.mark.django_db


def _company_page(client, company) -> str:
    return client.get(reverse("admin:company_detail", args=[company.id])).content.decode()


def _box(page: str) -> str:
    return page.split('id="digest"', 1)[1]


def _contact_data(**overrides) -> dict:
    data = {"name": "Ana Souza", "email": f"ana.{uuid.uuid4().hex[:6]}@client.example.com", "language": ""}
    data.update(receives_digest="on", **overrides)
    return data


def test_company_page__supervisor__contacts_with_edit_remove_add_preview_and_send(client, login):
    login(permissions.SUPERVISORS)
    company = make_company()
    contact = add_contact(company, name="Ana Souza", language="en")

    box = _box(_company_page(client, company))

    assert "Ana Souza" in box and contact.email in box and "English" in box
    assert reverse("admin:digest_contact_edit", args=[company.id, contact.sk]) in box
    assert reverse("admin:digest_contact_remove", args=[company.id, contact.sk]) in box
    assert reverse("admin:digest_contact_add", args=[company.id]) in box
    assert reverse("admin:digest_preview", args=[company.id]) in box
    assert reverse("admin:digest_send", args=[company.id]) in box


def test_company_page__viewer__contacts_and_preview_only(client, login):
    login(permissions.VIEWERS)
    company = make_company()
    add_contact(company)

    box = _box(_company_page(client, company))

    assert reverse("admin:digest_preview", args=[company.id]) in box
    assert reverse("admin:digest_contact_add", args=[company.id]) not in box
    assert reverse("admin:digest_send", args=[company.id]) not in box and "/remove/" not in box


@pytest.mark.django_db(transaction=True)
def test_contact_add__sent_twice_at_once__one_contact_both_back_on_the_company_page(client, login):
    sync_groups()
    login(permissions.SUPERVISORS)
    company = make_company()
    data = {**_contact_data(), "token": str(uuid.uuid4())}

    responses = post_at_once(client, reverse("admin:digest_contact_add", args=[company.id]), data)

    [contact] = selectors.contact_list(company.id)
    assert contact.sk == data["token"] and contact.language is None
    expected = reverse("admin:company_detail", args=[company.id]) + "#digest"
    assert [response["Location"] for response in responses] == [expected] * 2


def test_contact_add__bad_email__error_on_its_field_nothing_added(client, login):
    login(permissions.SUPERVISORS)
    company = make_company()

    response = client.post(
        reverse("admin:digest_contact_add", args=[company.id]),
        {**_contact_data(email="not-an-email"), "token": str(uuid.uuid4())},
    )

    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert selectors.contact_list(company.id) == []


def test_contact_edit__stops_receiving__saved_and_the_history_says_so_in_portuguese(client, login):
    login(permissions.SUPERVISORS)
    company = make_company()
    contact = add_contact(company, name="Ana Souza")

    response = client.post(
        reverse("admin:digest_contact_edit", args=[company.id, contact.sk]),
        {"name": "Ana Souza", "email": contact.email, "language": "en", "revision": "0"},
        follow=True,
        headers={"accept-language": "pt-br"},
    )

    assert "Contato de RH Ana Souza salvo." in response.content.decode()
    assert selectors.contact_find(company.id, contact.sk).receives_digest is False
    history = client.get(
        reverse("admin:company_detail", args=[company.id]), headers={"accept-language": "pt-br"}
    ).content.decode()
    history = history.split('id="history"', 1)[1]
    assert "Contato de RH editado" in history and "Recebe o resumo: Sim → Não" in history
    assert "Idioma: — → Inglês" in history


def test_contact_remove__twice__removed_then_told_it_was(client, login):
    login(permissions.SUPERVISORS)
    company = make_company()
    contact = add_contact(company)
    url = reverse("admin:digest_contact_remove", args=[company.id, contact.sk])

    first = client.post(url, follow=True).content.decode()
    second = client.post(url, follow=True).content.decode()

    assert "The HR contact was removed." in first and "This HR contact was already removed." in second
    assert selectors.contact_list(company.id) == []
    assert client.get(url).status_code == 405


def test_company_edit__digest_period__saved_shown_and_in_the_history(client, login, frozen_clock):
    login(permissions.SUPERVISORS)
    company = company_create(name="Acme Ltda", billing="postpaid", language="pt-br")

    page = client.post(
        reverse("admin:company_edit", args=[company.id]),
        {"name": company.name, "cnpj": "", "language": "pt-br", "digest_period": "weekly", "revision": "0"},
        follow=True,
    ).content.decode()

    assert '<dd id="company-digest-period">Weekly (Mondays, from 8:00)</dd>' in page
    assert "Compliance digest: — → Weekly (Mondays, from 8:00)" in page.split('id="history"', 1)[1]
    form = client.get(reverse("admin:company_edit", args=[company.id])).context["form"]
    assert form.initial["digest_period"] == "weekly"


def _company_with_people(now):
    company = make_company(billing="postpaid")
    course = make_course(name=f"NR-35 {uuid.uuid4().hex[:4]}", access_period_days=90)
    make_enrollment(company, course, make_person(name="Caio Expira"), now=now, enrolled=300, steps=[(COMPLETE, 299)])
    make_enrollment(
        company, course, make_person(name="Dora Vence"), now=now, enrolled=300, steps=[(COMPLETE, 299)], expires_in=20
    )
    return company, course


def test_digest_preview__company_language_then_english__subject_text_frame_and_spreadsheet(client, login, frozen_clock):
    login(permissions.VIEWERS)
    company = turn_digest_on(company_create(name="Obras Preview", billing="postpaid", language="pt-br"))
    add_contact(company, name="Ana Souza")

    page = client.get(reverse("admin:digest_preview", args=[company.id])).content.decode()
    english = client.get(reverse("admin:digest_preview", args=[company.id]), {"language": "en"}).content.decode()

    assert "Resumo de conformidade de Obras Preview: semana 10 de 2026" in page
    assert "Ana Souza" in page and "A empresa ainda não tem matrículas." in page
    html_url = reverse("admin:digest_preview_html", args=[company.id]) + "?language=pt-br"
    assert f'src="{html_url}"' in page and 'sandbox=""' in page
    assert "Compliance digest of Obras Preview: week 10 of 2026" in english
    assert "/admin" not in client.get(html_url).content.decode().replace(html_url, "")


def test_digest_preview__people_to_renew__counted_and_listed_in_the_spreadsheet(client, login, frozen_clock):
    login(permissions.VIEWERS)
    company, course = _company_with_people(frozen_clock.now)

    page = client.get(reverse("admin:digest_preview", args=[company.id]), {"language": "en"}).content.decode()
    sheet = client.get(reverse("admin:digest_preview_xlsx", args=[company.id]), {"language": "en"})

    assert "Pending renewals: 1" in page and "(1 person)" in page
    assert sheet["Content-Type"] == XLSX
    assert f'filename="compliance-digest-{company.name.lower().replace(" ", "-")}-' in sheet["Content-Disposition"]
    header, *rows = sheet_rows(sheet.content)
    assert header[:5] == ["name", "email", "cpf", "course", "situation"]
    assert [(row[0], row[3], row[4]) for row in rows] == [
        ("Dora Vence", course.name, "Certificate expires within 30 days")
    ]


def test_digest_preview_html__its_own_policy__inline_styles_only_framed_by_the_site(client, login):
    login(permissions.VIEWERS)
    company = make_company()

    response = client.get(reverse("admin:digest_preview_html", args=[company.id]))

    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy and "sandbox" in policy and "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.django_db(transaction=True)
def test_digest_send__sent_twice_at_once__one_digest_queued_once(client, login, digest_queue):
    sync_groups()
    login(permissions.SUPERVISORS)
    company = make_company()
    add_contact(company)
    add_contact(company)
    data = {"token": str(uuid.uuid4())}

    responses = post_at_once(client, reverse("admin:digest_send", args=[company.id]), data)

    [digest] = selectors.digest_list(company.id)
    assert digest.period == f"now-{data['token']}" and digest.state == rules.RECORD_PENDING
    assert [response.status_code for response in responses] == [302, 302]
    page = client.get(responses[0]["Location"]).content.decode()
    assert "The compliance digest goes out to 2 contacts in a moment." in page or "already asked for" in page


def test_digest_send__nobody_receives_it__told_why_nothing_created(client, login, digest_queue):
    login(permissions.SUPERVISORS)
    company = make_company()
    add_contact(company, receives_digest=False)

    page = client.post(
        reverse("admin:digest_send", args=[company.id]), {"token": str(uuid.uuid4())}, follow=True
    ).content.decode()

    assert "No HR contact of this company receives the digest" in page
    assert selectors.digest_list(company.id) == []


def test_failures_page__failed_digest__listed_and_sent_again_once(client, login, settings, digest_queue):
    settings.LIFECYCLE_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    login(permissions.SUPERVISORS)
    company = make_company(name=f"Falhas {uuid.uuid4().hex[:4]}")
    add_contact(company)
    at = local(2026, 3, 2, 9)
    with clock.frozen(at):
        digest = services.digest_send_now(company_id=company.id, token=str(uuid.uuid4()), author=STAFF)
        assert delivery.digest_process(company_id=company.id, period=digest.period) == "failed"

    page = client.get(reverse("admin:failure_list"), {"company": company.id}).content.decode()
    box = page.split('id="digest-failures"', 1)[1]
    assert company.name in box and "ConnectionRefusedError" in box and "on request, March 2, 2026" in box
    [failure] = selectors.digest_failure_list(company_id=company.id)

    url = reverse("admin:digest_failure_resend_view")
    with clock.frozen(at + timedelta(hours=1)):
        first = client.post(url, {"failure": failure.sk, "company": company.id}, follow=True).content.decode()
        second = client.post(url, {"failure": failure.sk, "company": company.id}, follow=True).content.decode()

    assert "The compliance digest goes back to the scheduler and is sent again in a moment." in first
    assert "This digest was already sent again; it is no longer in the list." in second
    assert selectors.digest_find(company.id, digest.period).state == rules.RECORD_PENDING
    assert "No failed compliance digests." in second
