"""axe-core over every back-office page, in pt-BR and English: no critical or serious finding.

Every page: the login and the second step's setup, each page of ``back_office_paths``, the job pages, and the
pages a form leads to (an import's preview, a bulk cancel's confirmation, a form sent with errors). None of
Django admin's own markup is excluded: its findings were fixed in the back office's templates and style sheet.

axe is injected with ``page.evaluate``, which the pages' Content-Security-Policy refuses (no eval, no inline
script), so this walk's browser context bypasses the policy; ``test_pages.py`` walks the pages under it.
(axe fetches the style sheets to read them and resolves forms.css's ``@import url('widgets.css')`` against the
page: the 404s of ``.../widgets.css`` in this test's log are axe's, not the pages'.)
"""

import io
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from backoffice.security import policy
from enrollments import permissions
from enrollments.bulk_cancel import services as bulk_services
from enrollments.exports import services as report_services
from enrollments.imports import services as import_services
from enrollments.imports.kind import IMPORT
from enrollments.jobs import services as job_services
from enrollments.services import enroll
from enrollments.tests.browser_support import PASSWORD, back_office_paths, log_in, member
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person
from enrollments.tests.webhook_support import webhook_log_company

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("critical", "serious")


@pytest.fixture
def data(frozen_clock, settings):
    """Return a company, its enrollment and the paths of every page that shows them, job pages included."""
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=2)
    person = make_person(cpf=make_cpf(formatted=False))
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)
    rows = f"nome;email;curso\nAna;ana.{company.id}@example.com;{course.id}\nBad;bad;{course.id}\n".encode()
    job = import_services.import_start(
        file=io.BytesIO(rows), file_name="people.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
    job = job_services.job_run_inline(IMPORT, job_id=job.job_id)
    bulk = bulk_services.bulk_cancel_start(
        job_id=str(uuid.uuid4()),
        enrollment_ids=[enrollment.id],
        reason="Wrong company",
        author=STAFF,
        enqueue=lambda job_id, numbers: None,
    )
    export = report_services.export_start(
        job_id=str(uuid.uuid4()),
        source="report",
        params={"tenant_id": company.id, "course_id": course.id, "bucket": "not_started"},
        fmt="csv",
        total=1,
        language="en",
        author=STAFF,
        enqueue=lambda job_id, numbers: None,
    )
    hooked = webhook_log_company(settings)
    paths = back_office_paths(
        company=company, course=course, enrollment=enrollment, job=job, webhook_company=hooked
    ) + [
        f"backoffice/bulk-cancels/{bulk.job_id}/",
        f"backoffice/reports/exports/{export.job_id}/",
        "password_change/",
    ]
    return company, course, enrollment, paths


class Findings(dict):
    """axe's critical and serious findings by page: one line per element."""

    def check(self, page, name: str) -> None:
        results = Axe().run(page)
        lines = [
            f"{violation['id']} ({violation['impact']}): {' '.join(node['target'])} — {node['failureSummary']}"
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING
            for node in violation["nodes"]
        ]
        if lines:
            self[name] = lines


def _second_step_pages(page, live_server, settings, findings: Findings) -> None:
    """Check the second step's setup page, as it comes and with a wrong code; leave logged out."""
    settings.TWO_FACTOR_REQUIRED_FOR = policy.PRIVILEGED
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", member(permissions.SUPERVISORS).username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/two-step/setup/**")
    findings.check(page, "two-step/setup/")
    page.fill("#id_code", "000000")
    page.click("#second-step-form input[type=submit]")
    page.wait_for_selector("#second-step-form :is(.errornote, .errorlist)")
    findings.check(page, "two-step/setup/ (wrong code)")
    page.click("#second-step-cancel button[type=submit]")
    page.wait_for_url("**/admin/login/**")
    settings.TWO_FACTOR_REQUIRED_FOR = policy.NOBODY


def _pages_after_a_form(page, live_server, company, course, enrollment, findings: Findings) -> None:
    """Check the pages a form leads to: an import's preview, a bulk cancel's confirmation, a form's errors."""
    page.goto(f"{live_server.url}/admin/backoffice/imports/add/")
    page.select_option("#id_company", company.id)
    rows = f"nome;email;cpf;curso\nBia;bia.{company.id}@example.com;;{course.id}\nBad;bad;123;{course.id}\n"
    page.set_input_files("#id_file", {"name": "equipe.csv", "mimeType": "text/csv", "buffer": rows.encode()})
    page.click("#import-form input[type=submit]")
    page.wait_for_selector("#import-totals")
    findings.check(page, "imports/add/ (preview)")

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/?company={company.id}")
    page.check(f"input.action-select[value='{enrollment.id}']")
    page.click("#cancel-selected")
    page.wait_for_selector("#bulk-cancel-form")
    findings.check(page, "bulk-cancels/confirm/")

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/add/?company={company.id}")
    page.click("#enroll-form input[type=submit]")
    page.wait_for_selector("#enroll-form .errorlist")
    findings.check(page, "enrollments/add/ (errors)")


# Both languages in the admin's light theme; its dark theme (the browser's choice) once, in the default language.
@pytest.mark.parametrize(("locale", "color_scheme"), [("pt-BR", "light"), ("en-US", "light"), ("pt-BR", "dark")])
def test_every_page__axe_core__no_critical_or_serious_finding(
    browser, live_server, settings, data, locale, color_scheme
):
    company, course, enrollment, paths = data
    context = browser.new_context(
        locale=locale, color_scheme=color_scheme, bypass_csp=True, viewport={"width": 1366, "height": 768}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    findings = Findings()

    page.goto(f"{live_server.url}/admin/login/")
    findings.check(page, "login/")
    _second_step_pages(page, live_server, settings, findings)
    log_in(page, live_server, member(permissions.SUPERVISORS))
    for path in paths:
        response = page.goto(f"{live_server.url}/admin/{path}")
        assert response.status == 200, path
        findings.check(page, path)
    _pages_after_a_form(page, live_server, company, course, enrollment, findings)
    context.close()

    assert findings == {}
