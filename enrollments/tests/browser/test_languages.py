"""Every back-office page in pt-BR, the default, and in English: no word of the other language on it."""

import io
from datetime import timedelta

import pytest

from enrollments import permissions
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.services import enroll
from enrollments.tests.browser_support import back_office_paths, log_in, member
from enrollments.tests.catalog_support import telling_phrases
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person
from enrollments.tests.webhook_support import webhook_log_company

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(frozen_clock, settings):
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=2)
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    rows = f"nome;email;curso\nAna;ana.{company.id}@example.com;{course.id}\nBad;bad;{course.id}\n".encode()
    job = import_services.import_start(
        file=io.BytesIO(rows), file_name="people.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    return (
        company,
        course,
        enrollment,
        job_services.job_run_inline(IMPORT, job_id=job.job_id),
        webhook_log_company(settings),
    )


@pytest.mark.parametrize(("locale", "html_lang"), [("pt-BR", "pt-br"), ("en-US", "en")])
def test_every_page__in_the_browsers_language__no_phrase_of_the_other_language(
    browser, live_server, data, locale, html_lang
):
    english, portuguese = telling_phrases()
    foreign = portuguese if html_lang == "en" else english
    context = browser.new_context(locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server, member(permissions.SUPERVISORS))
    found = {}
    company, course, enrollment, job, hooked = data
    for path in back_office_paths(
        company=company, course=course, enrollment=enrollment, job=job, webhook_company=hooked
    ):
        response = page.goto(f"{live_server.url}/admin/{path}")
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == html_lang, path
        text = page.locator("body").inner_text()
        if leftovers := [phrase for phrase in foreign if phrase in text]:
            found[path] = leftovers
    context.close()

    assert found == {}


def test_import_page__pt_br__numbers_the_script_updates_written_as_in_portuguese(
    browser, live_server, frozen_clock, settings
):
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="postpaid"), make_course()
    rows = "".join(f"Pessoa {n};p{n}.{company.id}@example.com;{course.id}\n" for n in range(1500))
    job = import_services.import_start(
        file=io.BytesIO(f"nome;email;curso\n{rows}".encode()),
        file_name="big.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=None,
    )
    job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=0)
    context = browser.new_context(locale="pt-BR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server, member(permissions.VIEWERS))
    page.goto(f"{live_server.url}/admin/backoffice/imports/{job.job_id}/")
    assert page.inner_text("#import-total") == "1.500"

    # Two more rows three seconds after the start: the page's script shows them on its next poll.
    job_services.job_process_chunk(IMPORT, job_id=job.job_id, number=1)
    frozen_clock.set(frozen_clock.start + timedelta(seconds=3))
    page.wait_for_function("() => document.getElementById('import-processed').textContent === '4'")

    assert page.inner_text("#import-total") == "1.500"
    assert page.inner_text("#import-rate") == "1,3"
    context.close()
