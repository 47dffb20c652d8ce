"""The pending renewals page in a real browser, in pt-BR and in English: from the company's page to the people
waiting for a seat, "Buy seats" to the order form filled in, then "Renew now" for the ticked person and for every
one, with what became of each."""

import pytest

from enrollments import permissions, rules
from enrollments.services import lifecycle_records_process
from enrollments.tests.auto_renewal_support import pending_ids, renewal_of, renewing_company, windowed_course
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import make_cpf, make_order, make_person
from enrollments.tests.lifecycle_support import real_now
from enrollments.tests.renewal_support import certificate

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WINDOW = 45
WORDS = {
    "pt-BR": {
        "link": "Renovações pendentes",
        "title": "Renovações pendentes em Acme Reciclagem",
        "count": "2 pessoas aguardam uma vaga para serem renovadas.",
        "renewed": "1 pessoa renovada.",
        "no_seat": "Sem vaga (compre vagas do curso): Bruno Segundo.",
        "left": "1 pessoa aguarda uma vaga para ser renovada.",
        "buy": "Comprar vagas",
        "selected": "Renovar agora as pessoas marcadas",
        "all": "Renovar todas agora",
    },
    "en-US": {
        "link": "Pending renewals",
        "title": "Pending renewals at Acme Reciclagem",
        "count": "2 people wait for a seat to be renewed.",
        "renewed": "1 person renewed.",
        "no_seat": "No seat left (buy seats for the course): Bruno Segundo.",
        "left": "1 person waits for a seat to be renewed.",
        "buy": "Buy seats",
        "selected": "Renew the ticked people now",
        "all": "Renew every one now",
    },
}


@pytest.fixture
def waiting(workers):
    """A prepaid company renewing automatically whose two people wait for a seat since their windows opened a
    minute ago (real time: the live server's); seats bought queue their renewal on this test's own queue."""
    company = renewing_company(billing="prepaid", name="Acme Reciclagem")
    course = windowed_course(WINDOW, name="NR-35 Altura")
    make_order(company, course, seats=2)
    now = real_now()
    certs = [
        certificate(
            company,
            course,
            now=now,
            expires_in=WINDOW - (2 - n) / (24 * 60),
            person=make_person(name=name, cpf=make_cpf()),
        )
        for n, name in enumerate(["Ana Primeira", "Bruno Segundo"])
    ]
    lifecycle_records_process(keys=[[c.id, f"schedules#{rules.RENEWAL_WINDOW}"] for c in certs])
    assert pending_ids(company) == [c.id for c in certs]
    return company, course, certs


@pytest.mark.parametrize("locale", ["pt-BR", "en-US"])
def test_operator__pending_page__buy_seats_then_renew_the_ticked_person_then_every_one(
    browser, live_server, waiting, locale
):
    company, course, (first, second) = waiting
    words = WORDS[locale]
    context = browser.new_context(locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.OPERATORS))

    page.goto(f"{live_server.url}/admin/backoffice/companies/{company.id}/")
    page.click("#pending-renewals-link")
    page.wait_for_selector("#pending-people")
    assert page.inner_text("#content h1") == words["title"]
    assert page.inner_text("#pending-count") == words["count"]
    assert page.locator("tr.pending-person th").all_inner_texts() == ["Ana Primeira", "Bruno Segundo"]
    assert page.locator("tr.pending-seats-row td.seats-available").inner_text() == "0"

    page.click(f"tr.pending-seats-row a.buy-seats:has-text('{words['buy']}')")
    page.wait_for_selector("#id_seats")
    assert page.input_value("#id_company") == company.id and page.input_value("#id_course") == course.id
    page.fill("#id_seats", "1")
    page.click("input[type=submit]")
    page.wait_for_url(f"**/companies/{company.id}/")

    page.goto(f"{live_server.url}/admin/backoffice/renewals/company/{company.id}/pending/")
    page.check(f"input[name=renewed][value='{first.id}']")
    page.click(f"button:has-text('{words['selected']}')")
    page.wait_for_selector("ul.messagelist")
    assert words["renewed"] in page.inner_text("ul.messagelist")
    assert page.inner_text("#pending-count") == words["left"]

    page.click(f"button:has-text('{words['all']}')")
    page.wait_for_selector("ul.messagelist")
    assert words["no_seat"] in page.inner_text("ul.messagelist")
    context.close()

    assert renewal_of(first) is not None and renewal_of(second) is None
    assert pending_ids(company) == [second.id]
    assert problems == []


def test_viewer__pending_page__reads_who_waits_without_the_buttons(browser, live_server, waiting):
    company, _course, certs = waiting
    page = browser.new_context(locale="pt-BR").new_page()
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.VIEWERS))

    page.goto(f"{live_server.url}/admin/backoffice/reports/company/{company.id}/")
    page.click("#pending-renewals a")
    page.wait_for_selector("#pending-people")

    assert page.locator("tr.pending-person").count() == len(certs)
    assert page.locator("input[name=renewed]").count() == 0 and page.locator("#renew-all-pending").count() == 0
    assert "aguardando desde" in page.inner_text("#pending-people").lower()
    assert problems == []
