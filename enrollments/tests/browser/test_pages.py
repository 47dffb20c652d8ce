"""The back office in a real browser: Debian's Chromium driven by Playwright against the live server."""

import re
import uuid

import pytest

from enrollments import permissions, selectors
from enrollments.services import enroll
from enrollments.tests.browser_support import back_office_paths, log_in, member
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator__enroll_find_inspect_cancel__audit_entry_and_seat_back(page, live_server):
    company, course = make_company(billing="prepaid"), make_course(access_period_days=90)
    make_order(company, course, seats=2)
    email = f"joana.{uuid.uuid4().hex[:8]}@example.com"
    log_in(page, live_server, member(permissions.OPERATORS))

    # Enroll, from the admin index.
    page.click("a[href='/admin/backoffice/enrollments/add/']")
    page.wait_for_url("**/enrollments/add/")  # loaded: the company list's script is in place
    page.select_option("#id_company", company.sk)
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
    assert "Its seat goes back to order" in effects and "4 pending emails are dropped." in effects
    assert page.is_checked("#id_notify_learner")
    page.click("input[type=submit].default")
    assert "This field is required." in page.inner_text(".field-reason")
    page.fill("#id_reason", "Left the company")
    page.click("input[type=submit].default")
    page.wait_for_selector("#audit")
    assert page.inner_text("#enrollment-status") == "Canceled"
    audit = page.inner_text("#audit")
    assert "Canceled" in audit and "Left the company" in audit and "Bia Browser" in audit
    assert "Its seat went back to order" in page.inner_text(".messagelist")
    assert "The learner gets an email saying so." in page.inner_text(".messagelist")

    # The seat is back.
    page.click(f"#enrollment-summary a[href='/admin/backoffice/companies/{company.sk}/']")
    assert page.inner_text(f"tr.seat-row[data-course='{course.sk}'] .seats-left") == "2"


def test_viewer__types_joao_in_the_search_box__sees_joao_with_his_accent(page, live_server):
    company, course = make_company(billing="postpaid"), make_course()
    family = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:8])
    enrolled = enroll(
        tenant_id=company.sk, course_id=course.sk, user=make_person(name=f"João {family} da Silva"), author=STAFF
    )
    log_in(page, live_server, member(permissions.VIEWERS))

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/")
    page.select_option("#id_company", company.sk)
    page.fill("#id_q", "joao")
    page.click("#enrollment-filters input[type=submit]")
    page.click(f"#result_list >> text=João {family} da Silva")

    page.wait_for_url(f"**/enrollments/{enrolled.id}/")


def test_viewer__no_enroll_or_cancel_buttons__403_on_their_urls(page, live_server):
    company, course = make_company(billing="postpaid"), make_course()
    enrollment = enroll(tenant_id=company.sk, course_id=course.sk, user=make_person(), author=STAFF)
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

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/add/?company={company.sk}")
    page.select_option("#id_course", course.sk)
    page.fill("#id_name", "Carlos Souza")
    page.fill("#id_email", "carlos@example.com")
    page.click("#enroll-form input[type=submit]")

    assert f"No seats left for {course.name} at {company.name}: buy an order." in page.inner_text(
        ".errornote + ul, .errorlist.nonfield"
    )
    assert page.input_value("#id_name") == "Carlos Souza" and page.input_value("#id_email") == "carlos@example.com"
    assert page.locator("a.addlink", has_text="Create an order of seats").count() == 1
    assert selectors.seats_left(tenant_id=company.sk, course_id=course.sk) == 0


def test_supervisor__every_back_office_page__renders_without_console_errors(page, live_server):
    company, course = make_company(billing="prepaid"), make_course()
    make_order(company, course, seats=2)
    enrollment = enroll(tenant_id=company.sk, course_id=course.sk, user=make_person(), author=STAFF)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, member(permissions.SUPERVISORS))

    paths = back_office_paths(company=company, course=course, enrollment=enrollment)
    for path in paths:
        response = page.goto(f"{live_server.url}/admin/{path}")
        assert response.status == 200, path
        assert page.locator("#content h1").count() == 1, path

    assert problems == []
