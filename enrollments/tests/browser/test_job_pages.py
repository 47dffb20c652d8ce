"""A job's page in a real browser while a real Celery worker runs the job: what a finished job offers appears when
its bar reaches the end, without reloading the page."""

import io

import pytest

from enrollments import permissions
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs.tasks import enqueue_for
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import STAFF, make_company, make_course, make_order

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_page__opened_while_running__undo_and_downloads_appear_when_done_without_reload(
    page, live_server, workers, settings
):
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=5)
    data = "nome;email;curso\n" + "".join(f"Pessoa {i};p{i}.{company.id}@example.com;{course.id}\n" for i in range(5))
    job = import_services.import_start(
        file=io.BytesIO(data.encode()),
        file_name="equipe.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=enqueue_for(IMPORT),
    )
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.OPERATORS))

    # No worker yet: the page opens on a running import, without its undo.
    page.goto(f"{live_server.url}/admin/backoffice/imports/{job.job_id}/")
    assert page.inner_text("#import-state") == "Running" and page.inner_text("#import-processed") == "0"
    assert page.is_hidden("#bulk-cancel-import") and page.is_hidden("#report-link")
    # Gone if the page loads again: only the page's polling may show the undo.
    page.evaluate("() => { window.loadedOnce = true; }")
    workers.start()

    page.wait_for_function("() => document.getElementById('import-bar').value === 100", timeout=180_000)
    page.wait_for_selector("#bulk-cancel-import", state="visible")

    assert page.evaluate("() => window.loadedOnce === true")
    assert page.inner_text("#import-state") == "Done" and page.inner_text("#count-enrolled") == "5"
    assert page.is_visible("#report-link") and page.is_visible("#failed-rows-link")
    assert page.get_attribute("#bulk-cancel-import", "href").endswith(f"?import_id={job.job_id}")
    assert problems == []


def test_import_page__viewer_without_cancel_permission__no_undo_even_when_done(page, live_server, workers, settings):
    company, course = make_company(), make_course()
    data = f"nome;email;curso\nAna;ana.{company.id}@example.com;{course.id}\n"
    job = import_services.import_start(
        file=io.BytesIO(data.encode()),
        file_name="um.csv",
        tenant_id=company.id,
        author=STAFF,
        enqueue=enqueue_for(IMPORT),
    )
    log_in(page, live_server, member(permissions.VIEWERS))
    page.goto(f"{live_server.url}/admin/backoffice/imports/{job.job_id}/")
    workers.start()

    page.wait_for_function("() => document.getElementById('import-bar').value === 100", timeout=180_000)
    page.wait_for_selector("#report-link", state="visible")

    assert page.locator("#bulk-cancel-import").count() == 0
