"""A CSV import in a real browser, processed by a real Celery worker: upload, preview, confirm, progress, report."""

import csv
import re

import pytest

from enrollments import permissions, selectors
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import make_company, make_course, make_order
from enrollments.tests.imports.corpus import corpus
from enrollments.tests.imports.workbook_support import workbook

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_operator__upload_preview_confirm__bar_reaches_100_and_report_downloads(
    page, live_server, workers, settings, tmp_path
):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    settings.IMPORT_CHUNK_ROWS = 2
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=1)
    # Seven rows: five invalid (emails, CPFs, a nameless row), two good ones for one seat.
    sample = next(s for s in corpus(course, make_course()) if s.name == "bad_emails_and_cpfs")
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.OPERATORS))

    # Upload, from the admin index.
    page.click("a[href='/admin/backoffice/imports/add/']")
    page.wait_for_url("**/imports/add/")
    page.select_option("#id_company", company.id)
    page.set_input_files("#id_file", {"name": "equipe.csv", "mimeType": "text/csv", "buffer": sample.data})
    page.click("#import-form input[type=submit]")

    # The preview: totals, the seat short, the error rows.
    page.wait_for_selector("#import-totals")
    totals = {key: page.inner_text(f"#total-{key}") for key in ("rows", "to-enroll", "duplicates", "seats")}
    assert totals == {"rows": "7", "to-enroll": "2", "duplicates": "0", "seats": "1 (1 short)"}
    assert page.inner_text("#total-errors").startswith("5")
    assert page.inner_text(f"tr.course-row[data-course='{course.id}'] .short") == "1 short"
    assert [int(line) for line in page.locator("tr.problem-row .line").all_inner_texts()] == [2, 3, 4, 5, 7]
    assert page.locator("#failed-rows-link").count() == 1

    # Confirm, then a worker enrolls the chunks while the bar moves.
    page.click("#confirm-form input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/backoffice/imports/[0-9a-f-]{36}/$"))
    job_id = page.url.rstrip("/").rsplit("/", 1)[1]
    # No worker yet: the chunks wait on the queue, so only the page's polling can bring the bar to 100%.
    assert page.inner_text("#import-state") == "Running" and page.inner_text("#import-processed") == "0"
    assert page.is_hidden("#import-result")
    workers.start()
    page.wait_for_function("() => document.getElementById('import-bar').value === 100", timeout=180_000)
    page.wait_for_selector("#import-result", state="visible")
    assert page.inner_text("#import-processed") == "7" and page.inner_text("#import-total") == "7"
    assert page.inner_text("#import-state") == "Done" and page.is_hidden("#import-error")
    counts = {name: page.inner_text(f"#count-{name}") for name in ("enrolled", "no_vacancy_left", "invalid", "failed")}
    assert counts == {"enrolled": "1", "no_vacancy_left": "1", "invalid": "5", "failed": "0"}

    # The per-row report.
    with page.expect_download() as download_info:
        page.click("#report-link")
    download = download_info.value
    assert download.suggested_filename == f"import-{job_id}-report.csv"
    with open(download.path(), encoding="utf-8-sig") as report:
        rows = list(csv.reader(report))
    assert rows[0] == ["line", "name", "email", "result", "enrollment id", "message", "result code"]
    results = {int(row[0]): row[6] for row in rows[1:]}
    assert {line: results[line] for line in (2, 3, 4, 5, 7)} == dict.fromkeys((2, 3, 4, 5, 7), "invalid")
    assert sorted([results[6], results[8]]) == ["enrolled", "no_vacancy_left"]
    enrolled_row = next(row for row in rows[1:] if row[6] == "enrolled")
    assert enrolled_row[3] == "Enrolled"
    assert enrolled_row[4] and selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0

    # The enrollment it made says where it came from: the import, by its file, a link back to this page.
    page.goto(f"{live_server.url}/admin/backoffice/enrollments/{enrolled_row[4]}/")
    assert "csv:" not in page.inner_text("#content-main")
    page.click("#enrollment-summary a.source-link:has-text('Import of equipe.csv')")
    page.wait_for_url(f"**/backoffice/imports/{job_id}/")

    # The job list has it, done.
    page.goto(f"{live_server.url}/admin/backoffice/imports/")
    row = page.locator(f"tr.import-row[data-job='{job_id}']")
    assert row.locator(".import-state").inner_text() == "Done"
    assert (row.locator(".import-enrolled").inner_text(), row.locator(".import-errors").inner_text()) == ("1", "6")

    assert problems == []


def test_operator__upload_xlsx_naming_its_sheet__reaches_the_preview(page, live_server, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    company, course = make_company(billing="postpaid"), make_course()
    rows = [
        ["Nome", "E-mail", "CPF", "Curso"],
        ["Ana", f"ana.{company.id}@example.com", 52998224725, course.id],
        ["Bia", "not-an-email", None, course.id],
    ]
    data = workbook({"Capa": [["RH"]], "Pessoas": rows})
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, member(permissions.OPERATORS))

    page.goto(f"{live_server.url}/admin/backoffice/imports/add/")
    page.select_option("#id_company", company.id)
    page.fill("#id_sheet", "Pessoas")
    page.set_input_files("#id_file", {"name": "equipe.xlsx", "mimeType": XLSX_TYPE, "buffer": data})
    page.click("#import-form input[type=submit]")

    page.wait_for_selector("#import-totals")
    assert (page.inner_text("#total-rows"), page.inner_text("#total-to-enroll")) == ("2", "1")
    assert [int(line) for line in page.locator("tr.problem-row .line").all_inner_texts()] == [3]
    assert problems == []
