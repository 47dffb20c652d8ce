"""The compliance digest in a real browser, in pt-BR: a supervisor adds an HR contact on the company's page, previews
the digest (its HTML in the sandboxed frame, then in English) and sends it now; no console error, no CSP violation."""

import pytest

from enrollments import clock, permissions
from enrollments.digests import selectors
from enrollments.services.catalog import company_create
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import make_course, make_person
from enrollments.tests.reports_support import COMPLETE, make_enrollment

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor__adds_a_contact_previews_in_both_languages_and_sends_now(browser, live_server, digest_queue):
    company = company_create(name="Construtora Aurora", billing="postpaid", language="pt-br")
    course = make_course(name="NR-35 Trabalho em Altura", access_period_days=90)
    make_enrollment(
        company,
        course,
        make_person(name="Caio Lima"),
        now=clock.now(),
        enrolled=300,
        steps=[(COMPLETE, 299)],
        expires_in=20,
    )
    context = browser.new_context(locale="pt-BR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.SUPERVISORS))

    page.goto(f"{live_server.url}/admin/backoffice/companies/{company.id}/")
    assert page.inner_text("#digest .empty") == "Nenhum contato de RH ainda."
    page.click("#contact-add")
    page.fill("#id_name", "Ana Souza")
    page.fill("#id_email", "ana.souza@aurora.example.com")
    page.select_option("#id_language", "pt-br")
    page.click("form input[type=submit]")
    page.wait_for_selector("tr.digest-contact")
    assert "Ana Souza é contato de RH de Construtora Aurora." in page.inner_text(".messagelist")
    row = page.locator("tr.digest-contact")
    assert row.get_attribute("data-email") == "ana.souza@aurora.example.com"
    assert "Português Brasileiro" in row.inner_text()
    assert row.locator("td.receives").inner_text() == "Sim"

    page.click("#digest-preview-link")
    page.wait_for_selector("#digest-preview")
    subject = page.inner_text(".email-subject")
    assert subject.startswith("Resumo de conformidade de Construtora Aurora: sob demanda, em ")
    assert "Ana Souza <ana.souza@aurora.example.com>" in page.inner_text("#digest-recipients")
    frame = page.frame_locator("#digest-html")
    assert frame.locator("h1").inner_text() == "Resumo de conformidade de Construtora Aurora"
    assert "NR-35 Trabalho em Altura" in frame.locator("table").inner_text()
    assert "(1 pessoa)" in page.inner_text("#digest-preview")

    page.click("a.preview-language[lang='en']")
    page.wait_for_url("**language=en")
    assert page.inner_text(".email-subject").startswith("Compliance digest of Construtora Aurora: on request, ")
    assert page.frame_locator("#digest-html").locator("h1").inner_text() == "Compliance digest of Construtora Aurora"
    # The page itself stays in the reader's language.
    assert page.inner_text("#digest-preview h2") == "O resumo como os contatos o receberiam agora"

    send = page.locator("#digest-send input[type=submit]")
    # Below a tall frame: scrolled to first, so the click lands after the page stopped moving.
    send.scroll_into_view_if_needed()
    send.click()
    page.wait_for_selector("tr.digest")
    assert "O resumo de conformidade será enviado a 1 contato em instantes." in page.inner_text(".messagelist")
    [digest] = selectors.digest_list(company.id)
    assert page.locator("tr.digest").get_attribute("data-period") == digest.period
    assert problems == []
    context.close()
