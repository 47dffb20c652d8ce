"""A bulk cancel in a real browser, run by a real Celery worker: select rows, confirm, the bar reaches 100%."""

import re

import pytest

from enrollments import permissions, selectors
from enrollments.jobs import tasks as job_tasks
from enrollments.services import cancel, enroll
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator__select_rows_confirm__bar_reaches_100_with_each_result(page, live_server, workers):
    company, course = make_company(), make_course()
    make_order(company, course, seats=3)
    people = [make_person() for _ in range(3)]
    ids = [enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF).id for person in people]
    cancel(enrollment_id=ids[2], reason="Earlier", author=STAFF)
    names = dict(zip(ids, (person.name for person in people), strict=True))
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.OPERATORS))

    page.goto(f"{live_server.url}/admin/backoffice/enrollments/?company={company.id}")
    for enrollment_id in ids:
        page.check(f"input.action-select[value='{enrollment_id}']")
    page.click("#cancel-selected")
    page.wait_for_selector("#bulk-cancel-form")
    assert page.inner_text("#bulk-count") == "3 enrollments will be canceled."
    # Who will be canceled, by name, course and status: the list's order, newest first.
    selected = page.locator("tr.bulk-selected")
    shown = {row.get_attribute("data-enrollment"): row.locator(".person-name").inner_text() for row in selected.all()}
    assert shown == names and page.locator("#bulk-more").count() == 0
    assert course.name in page.inner_text(f"tr.bulk-selected[data-enrollment='{ids[2]}']")
    assert "Canceled" in page.inner_text(f"tr.bulk-selected[data-enrollment='{ids[2]}']")
    assert page.is_checked("#id_notify_learner")
    page.fill("#id_reason", "Enrolled in the wrong company")
    page.click("#bulk-cancel-form input[type=submit]")

    page.wait_for_url(re.compile(r"/admin/backoffice/bulk-cancels/[0-9a-f-]{36}/$"))
    assert page.inner_text("#bulk-state") == "Running" and page.inner_text("#bulk-processed") == "0"
    workers.start()
    page.wait_for_function("() => document.getElementById('bulk-bar').value === 100", timeout=180_000)
    page.wait_for_selector("#bulk-results", timeout=30_000)
    assert page.inner_text("#bulk-state") == "Done"
    assert (page.inner_text("#bulk-canceled"), page.inner_text("#bulk-refused")) == ("2", "1")
    results = {
        row.get_attribute("data-enrollment"): row.locator(".bulk-result").inner_text()
        for row in page.locator("tr.bulk-result-row").all()
    }
    assert results == {ids[0]: "Canceled", ids[1]: "Canceled", ids[2]: "Refused"}
    assert "is already canceled" in page.inner_text(f"tr[data-enrollment='{ids[2]}'] .bulk-message")
    # Each result names its person and course; the name opens the enrollment.
    assert {
        row.get_attribute("data-enrollment"): row.locator(".person-name").inner_text()
        for row in page.locator("tr.bulk-result-row").all()
    } == names
    assert page.inner_text(f"tr[data-enrollment='{ids[0]}'] .bulk-course") == course.name
    page.click(f"tr[data-enrollment='{ids[0]}'] a.person-name")
    page.wait_for_url(f"**/backoffice/enrollments/{ids[0]}/")
    assert page.inner_text("#enrollment-status") == "Canceled"
    assert page.locator("#audit a.source-link", has_text="Bulk cancel").count() == 1
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 3
    assert problems == []


def test_operator__confirm_while_the_broker_is_down__page_says_so_until_the_sweep_queues_it(
    page, live_server, workers, broker_down
):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    ids = [enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF).id for _ in range(2)]
    log_in(page, live_server, member(permissions.OPERATORS))
    page.goto(f"{live_server.url}/admin/backoffice/enrollments/?company={company.id}")
    for enrollment_id in ids:
        page.check(f"input.action-select[value='{enrollment_id}']")
    page.click("#cancel-selected")
    page.fill("#id_reason", "Enrolled in the wrong company")
    page.click("#bulk-cancel-form input[type=submit]")

    page.wait_for_url(re.compile(r"/admin/backoffice/bulk-cancels/[0-9a-f-]{36}/$"))
    assert page.is_visible("#bulk-waiting") and "does not answer right now" in page.inner_text(".messagelist")
    assert "started" not in page.inner_text(".messagelist")
    workers.start()
    broker_down.restore()
    job_tasks.bulk_cancels_resume_stalled()

    page.wait_for_function("() => document.getElementById('bulk-bar').value === 100", timeout=180_000)
    page.wait_for_selector("#bulk-results", timeout=30_000)
    assert page.is_hidden("#bulk-waiting") and page.inner_text("#bulk-canceled") == "2"
