"""The back office in a real browser: Debian's Chromium driven by Playwright against the live server."""

import io
import re
import uuid

import pytest

from enrollments import permissions, selectors
from enrollments.bulk_cancel import services as bulk_services
from enrollments.exports import services as report_services
from enrollments.imports import services as import_services
from enrollments.services import enroll
from enrollments.tests.browser_support import back_office_paths, log_in, member, watch_console
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person
from enrollments.tests.webhook_support import webhook_log_company

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator__enroll_find_inspect_cancel__audit_entry_and_seat_back(page, live_server):
    company, course = make_company(billing="prepaid"), make_course(access_period_days=90)
    make_order(company, course, seats=2)
    email = f"joana.{uuid.uuid4().hex[:8]}@example.com"
    log_in(page, live_server, member(permissions.OPERATORS))

    # Enroll, from the admin index.
    page.click("a[href='/admin/backoffice/enrollments/add/']")
    page.wait_for_url("**/enrollments/add/")  # loaded: the company list's script is in place
    page.select_option("#id_company", company.id)
    page.wait_for_url(re.compile(r"\?company="))
    page.select_option("#id_course", label=f"{course.name} — 2 seats left")
    page.fill("#id_name", "Joana Silva")
    page.fill("#id_email", email)
    page.fill("#id_deduplication_window_days", "10")
    page.click("#enroll-form input[type=submit]")
    page.wait_for_selector("#enrollment-summary")
    assert "Joana Silva is enrolled in" in page.inner_text(".messagelist")

    # Find them by email in the list, open the detail: the welcome and three reminders.
    page.goto(f"{live_server.url}/admin/backoffice/enrollments/")
    page.fill("#id_q", email)
    page.click("#enrollment-filters input[type=submit]")
    page.click("#result_list >> text=Joana Silva")
    page.wait_for_selector("#lifecycle")
    assert page.locator("tr.lifecycle-record").count() == 4
    assert "Pending" in page.inner_text("#enrollment-status")

    # Cancel with a reason.
    page.click("#cancel-link")
    effects = page.inner_text("#cancel-effects")
    assert "Its seat goes back to the order of " in effects and "4 pending emails are dropped." in effects
    assert page.is_checked("#id_notify_learner")
    page.click("input[type=submit].default")
    assert "This field is required." in page.inner_text(".field-reason")
    page.fill("#id_reason", "Left the company")
    page.click("input[type=submit].default")
    page.wait_for_selector("#audit")
    assert page.inner_text("#enrollment-status") == "Canceled"
    audit = page.inner_text("#audit")
    assert "Canceled" in audit and "Left the company" in audit and "Bia Browser" in audit
    assert "Its seat went back to the order of " in page.inner_text(".messagelist")
    assert "The learner gets an email saying so." in page.inner_text(".messagelist")

    # The seat is back.
    page.click(f"#enrollment-summary a[href='/admin/backoffice/companies/{company.id}/']")
    assert page.inner_text(f"tr.seat-row[data-course='{course.id}'] .seats-left") == "2"


def test_viewer__types_joao_in_the_search_box__sees_joao_with_his_accent(page, live_server):
    company, course = make_company(billing="postpaid"), make_course()
    family = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:8])
    enrolled = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(name=f"João {family} da Silva"), author=STAFF
    )
    log_in(page, live_server, member(permissions.VIEWERS))

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/")
    page.select_option("#id_company", company.id)
    page.fill("#id_q", "joao")
    page.click("#enrollment-filters input[type=submit]")
    page.click(f"#result_list >> text=João {family} da Silva")

    page.wait_for_url(f"**/enrollments/{enrolled.id}/")


def test_viewer__no_enroll_or_cancel_buttons__403_on_their_urls(page, live_server):
    company, course = make_company(billing="postpaid"), make_course()
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    log_in(page, live_server, member(permissions.VIEWERS))

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/")
    assert page.locator("a[href='/admin/backoffice/enrollments/add/']").count() == 0
    page.goto(f"{live_server.url}/admin/backoffice/enrollments/{enrollment.id}/")
    assert page.locator("#lifecycle").count() == 1
    assert page.locator("#cancel-link").count() == 0 and page.locator("#complete-link").count() == 0

    for path in ("enrollments/add/", f"enrollments/{enrollment.id}/cancel/", f"enrollments/{enrollment.id}/complete/"):
        response = page.goto(f"{live_server.url}/admin/backoffice/{path}")
        assert response.status == 403
        assert "Permission denied" in page.inner_text("#content")


def test_operator__no_seat_left__error_on_the_form_with_input_kept(page, live_server):
    company, course = make_company(billing="prepaid"), make_course()
    log_in(page, live_server, member(permissions.OPERATORS))

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/add/?company={company.id}")
    page.select_option("#id_course", course.id)
    page.fill("#id_name", "Carlos Souza")
    page.fill("#id_email", "carlos@example.com")
    page.click("#enroll-form input[type=submit]")

    assert f"No seats left for {course.name} at {company.name}: buy an order." in page.inner_text(
        ".errornote + ul, .errorlist.nonfield"
    )
    assert page.input_value("#id_name") == "Carlos Souza" and page.input_value("#id_email") == "carlos@example.com"
    assert page.locator("a.addlink", has_text="Create an order of seats").count() == 1
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def _running_jobs(company, course, enrollment) -> list[str]:
    """Start an import, a bulk cancel and an export that no worker takes; return their pages (their scripts poll)."""
    rows = f"nome;email;curso\nAna;ana.{company.id}@example.com;{course.id}\n".encode()
    imported = import_services.import_start(
        file=io.BytesIO(rows), file_name="people.csv", tenant_id=company.id, author=STAFF, enqueue=None
    )
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
    return [
        f"backoffice/imports/{imported.job_id}/",
        f"backoffice/bulk-cancels/{bulk.job_id}/",
        f"backoffice/reports/exports/{export.job_id}/",
    ]


def test_supervisor__every_back_office_page__no_console_errors_and_no_csp_violations(page, live_server, settings):
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=2)
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    jobs = _running_jobs(company, course, enrollment)
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.SUPERVISORS))

    hooked = webhook_log_company(settings)
    paths = (
        back_office_paths(company=company, course=course, enrollment=enrollment, webhook_company=hooked)
        + jobs
        + ["password_change/"]
    )
    for path in paths:
        response = page.goto(f"{live_server.url}/admin/{path}")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert page.locator("#content h1").count() == 1, path
        if path in jobs:  # a poll of the progress JSON, under the policy's connect-src
            with page.expect_response(re.compile(r"/progress\.json$")) as polled:
                pass
            assert polled.value.status == 200, path

    assert problems == []


def test_viewer__enrollment_page__email_preview_renders_its_styled_html_without_csp_violations(page, live_server):
    company, course = make_company(billing="postpaid"), make_course()
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(name="Rita Prévia"), author=STAFF)
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.VIEWERS))

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/{enrollment.id}/")
    with page.expect_response(re.compile(r"/emails/welcome/$")) as loaded:
        page.click("#email-preview-welcome summary")
    email = page.frame_locator("#email-preview-welcome iframe.email-html")

    assert loaded.value.status == 200
    assert "Hello Rita Prévia," in email.locator("body").inner_text()
    # The email's inline styles apply in its frame: its own policy allows them.
    button = email.locator("a", has_text="Start the course")
    assert button.evaluate("link => getComputedStyle(link).backgroundColor") == "rgb(65, 118, 144)"
    assert problems == []


def test_watch_console__inline_style_set_by_a_page_script__reported_as_a_csp_violation(page, live_server):
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.VIEWERS))

    with page.expect_console_message(lambda message: message.text.startswith("CSP violation")) as reported:
        page.evaluate("document.body.setAttribute('style', 'background: rgb(255, 0, 0)')")

    assert reported.value.text.startswith("CSP violation: style-src-attr refused inline in ")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert reported.value.text in problems
