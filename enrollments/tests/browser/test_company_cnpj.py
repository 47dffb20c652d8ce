"""One company per CNPJ in a real browser, in pt-BR: a taken CNPJ is refused on its field, the link opens the holder."""

import pytest
from django.urls import reverse

from enrollments import permissions
from enrollments.services import company_create
from enrollments.tests.browser_support import log_in, member
from enrollments.tests.factories import make_cnpj

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor__adds_a_company_with_a_taken_cnpj__told_on_the_field_and_follows_the_link(browser, live_server):
    cnpj = make_cnpj()
    acme = company_create(name="Acme Construções", billing="prepaid", cnpj=cnpj)
    context = browser.new_context(locale="pt-BR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server, member(permissions.SUPERVISORS))

    page.goto(live_server.url + reverse("admin:company_add"))
    page.fill("#id_name", "Acme Duplicada")
    page.fill("#id_cnpj", cnpj)
    page.click("form input[type=submit]")
    error = page.locator(".field-cnpj .errorlist")
    error.wait_for()

    assert error.inner_text() == f"O CNPJ {cnpj} já pertence à empresa Acme Construções. Ver a empresa Acme Construções"
    error.locator("a.cnpj-holder").click()
    page.wait_for_url("**" + reverse("admin:company_detail", args=[acme.id]))
    assert page.inner_text("h1") == "Acme Construções"
    context.close()
