"""Layout at a laptop's width (1366 px), in pt-BR and English: CPFs, CNPJs and dates kept on one line, the header's
language label readable."""

import pytest

from enrollments import permissions
from enrollments.services import company_create, enroll
from enrollments.tests.browser_support import log_in, member
from enrollments.tests.factories import STAFF, make_cnpj, make_company, make_course, make_cpf, make_order, make_person

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [("pt-BR", "Idioma"), ("en-US", "Language")]
# Long words squeeze the other columns of a table, as real names of people, courses and companies do.
LONG = "Treinamento Obrigatório de Segurança em Instalações e Serviços com Eletricidade"

# The lines an element's text takes: the distinct tops of the boxes its content lays out in.
LINES = """element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
}"""

# WCAG 2 contrast of an element's text colour with the first background colour behind it.
CONTRAST = """element => {
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = value => { const c = value / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  let behind = element;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) { behind = behind.parentElement; }
  const [fore, back] = [getComputedStyle(element).color, getComputedStyle(behind).backgroundColor].map(rgb).map(luminance);
  return (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
}"""


def _context(browser, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    return context


def _lines(page, selector: str) -> list[int]:
    cells = page.locator(selector)
    assert cells.count() > 0, f"{selector} on {page.url}: {page.inner_text('#content')[:300]}"
    return [cell.evaluate(LINES) for cell in cells.all()]


@pytest.mark.parametrize(("locale", "_label"), LANGUAGES)
def test_lists__1366_px_with_long_names__each_cpf_cnpj_and_date_on_one_line(browser, live_server, locale, _label):
    company = make_company(billing="prepaid", name=f"Companhia Brasileira de Distribuição e Logística {LONG}")
    course = make_course(name=LONG)
    make_order(company, course, seats=3)
    for _ in range(2):
        person = make_person(
            name="Maria Aparecida dos Santos Cavalcanti de Albuquerque Figueiredo",
            email=f"maria.aparecida.cavalcanti.{make_cpf(formatted=False)}@empresa-de-exemplo.com.br",
            cpf=make_cpf(formatted=False),
        )
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)
    company_create(billing="postpaid", name=f"Indústria {LONG}", cnpj=make_cnpj())
    context = _context(browser, locale)
    page = context.new_page()
    log_in(page, live_server, member(permissions.SUPERVISORS))

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/?company={company.id}")
    assert _lines(page, "#result_list td.cpf") == [1, 1]
    assert _lines(page, "#result_list td.enrolled-at") == [1, 1]

    page.goto(f"{live_server.url}/admin/backoffice/reports/company/{company.id}/{course.id}/not_started/")
    assert _lines(page, "#result_list td.cpf") == [1, 1]

    page.goto(f"{live_server.url}/admin/backoffice/companies/")
    assert set(_lines(page, "#result_list td.cnpj:not(:empty)")) == {1}
    context.close()


@pytest.mark.parametrize(("locale", "label"), LANGUAGES)
def test_header__language_label__its_word_with_aa_contrast_on_the_login_page_the_index_and_a_form_page(
    browser, live_server, locale, label
):
    context = _context(browser, locale)
    page = context.new_page()
    contrasts = {}

    page.goto(f"{live_server.url}/admin/login/")
    log_in_page = page.locator("label[for=language-select]")
    contrasts["login/"] = log_in_page.evaluate(CONTRAST)
    assert log_in_page.inner_text().casefold() == label.casefold()
    log_in(page, live_server, member(permissions.VIEWERS))
    # The back office's pages load the admin's forms.css, whose label colour is meant for the page's white.
    for path in ("", "backoffice/enrollments/"):
        page.goto(f"{live_server.url}/admin/{path}")
        words = page.locator("#header label[for=language-select]")
        assert words.inner_text().casefold() == label.casefold(), path
        contrasts[path] = words.evaluate(CONTRAST)
    context.close()

    assert {path: contrast for path, contrast in contrasts.items() if contrast < 4.5} == {}
