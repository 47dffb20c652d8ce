"""The compliance report in a real browser: from the company's page to a count's people, then their xlsx file,
downloaded by the browser and read back with openpyxl."""

import pytest
from openpyxl import load_workbook

from enrollments import permissions
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import make_company, make_course, make_person
from enrollments.tests.reports_support import make_enrollment

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_viewer__company_report_to_people_to_xlsx__file_holds_them_with_text_cpf(page, live_server, tmp_path):
    from enrollments import clock

    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    now = clock.now()
    ids = [
        make_enrollment(company, course, make_person(name=f"Learner {n}", cpf=cpf), now=now, enrolled=1)
        for n, cpf in enumerate(["01234567890", None])
    ]
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.VIEWERS))

    page.goto(f"{live_server.url}/admin/backoffice/companies/{company.id}/")
    page.click("#compliance-link")
    page.wait_for_selector("#compliance")
    page.click(f"tr[data-course='{course.id}'] td.bucket-not_started a")
    page.wait_for_selector("tr.person")
    assert page.locator("tr.person").count() == 2
    with page.expect_download() as download_info:
        page.click("a.export-link[data-format='xlsx']")
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert download.suggested_filename.endswith(".xlsx")
    assert rows[0][:3] == ("name", "email", "cpf")
    assert sorted(row[-1] for row in rows[1:]) == sorted(ids)
    assert {row[0]: row[2] for row in rows[1:]} == {"Learner 0": "012.345.678-90", "Learner 1": None}
    assert problems == []
