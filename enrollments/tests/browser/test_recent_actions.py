"""The admin home's "Recent actions" in a real browser: a just-made enrollment shows, and its link opens it."""

import re
import uuid

import pytest

from enrollments import permissions
from enrollments.tests.browser_support import log_in, member
from enrollments.tests.factories import make_company, make_course

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator__enrolls_then_home__sees_it_in_recent_actions_and_follows_the_link(page, live_server):
    company, course = make_company(billing="postpaid", name="Acme Browser"), make_course(name="Primeiros Socorros")
    name = f"Joana {uuid.uuid4().hex[:6]}"
    log_in(page, live_server, member(permissions.OPERATORS))
    assert page.locator("#recent-actions-module").count() == 1

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/add/?company={company.id}")
    page.select_option("#id_course", course.id)
    page.fill("#id_name", name)
    page.fill("#id_email", f"{uuid.uuid4().hex[:8]}@example.com")
    page.click("#enroll-form input[type=submit]")
    page.wait_for_selector("#enrollment-summary")
    enrollment_url = page.url

    page.goto(f"{live_server.url}/admin/")
    newest = page.locator("#recent-actions li.recent-action").first
    assert newest.locator("a").inner_text() == f"Enrolled — {name} in Primeiros Socorros (Acme Browser)"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} .+", newest.locator("time").inner_text())
    newest.locator("a").click()
    page.wait_for_selector("#enrollment-summary")
    assert page.url == enrollment_url

    # Everyone's list holds every test's actions of this run: only the toggle is checked here.
    page.goto(f"{live_server.url}/admin/")
    page.click("#recent-actions-scope a")
    page.wait_for_url("**/admin/?recent=all")
    assert page.inner_text("#recent-actions-module h3") == "Everyone's actions"
