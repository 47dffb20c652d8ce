"""A renewal in a real browser, run by a real Celery worker: from the compliance report's Renew link to the preview,
then the confirmation, the job's bar reaching 100% and each person's result; then the preview of everyone due says
they are renewed already."""

import re

import pytest

from enrollments import clock, permissions, rules, selectors
from enrollments.services import course_create
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import make_company, make_order
from enrollments.tests.renewal_support import certificate

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator__report_renew_preview_confirm__bar_reaches_100_with_each_result(page, live_server, workers):
    # The worker runs at the real time: the certificates are made relative to it.
    now = clock.now()
    company = make_company(billing="prepaid")
    course = course_create(name="NR-35", access_period_days=90, certificate_validity_days=730, renewal_window_days=60)
    make_order(company, course, seats=3)
    soonest, second, third = (certificate(company, course, now=now, expires_in=days) for days in (4, 8, 12))
    make_order(company, course, seats=2)
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.OPERATORS))

    page.goto(f"{live_server.url}/admin/backoffice/reports/company/{company.id}/")
    page.click(f"tr[data-course='{course.id}'] td.bucket-expiring_30 a.renew-link")
    page.wait_for_selector("#renewal-form")
    assert page.inner_text("#renewal-count strong") == "2 people will be enrolled again."
    assert page.inner_text("#renewal-refused-count") == "1 person cannot be renewed now."
    renewable = [
        row.get_attribute("data-enrollment") for row in page.locator("#renewal-renewable tr.renewal-person").all()
    ]
    assert renewable == [soonest.id, second.id]
    assert page.get_attribute(f"#renewal-refused tr[data-enrollment='{third.id}']", "data-refusal") == "no_seat"
    assert page.inner_text(f"tr.renewal-seats-row[data-course='{course.id}'] .seats-available") == "2"
    page.click("#renewal-confirm")

    page.wait_for_url(re.compile(r"/admin/backoffice/renewals/[0-9a-f-]{36}/$"))
    assert page.inner_text("#renewal-state") == "Running" and page.inner_text("#renewal-processed") == "0"
    workers.start()
    page.wait_for_function("() => document.getElementById('renewal-bar').value === 100", timeout=180_000)
    page.wait_for_selector("#renewal-results", timeout=30_000)
    assert page.inner_text("#renewal-state") == "Done"
    assert (page.inner_text("#renewal-renewed"), page.inner_text("#renewal-refused")) == ("2", "1")
    results = {
        row.get_attribute("data-enrollment"): row.get_attribute("data-result")
        for row in page.locator("tr.renewal-result-row").all()
    }
    assert results == {soonest.id: "renewed", second.id: "renewed", third.id: rules.NO_SEAT}
    page.click(f"tr[data-enrollment='{soonest.id}'] a.renewal-enrollment")
    page.wait_for_selector("#enrollment-renews")
    assert soonest.id in page.inner_text("#enrollment-renews")
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0

    # The report's people moved on: a preview of everyone due names the two renewed as such.
    page.goto(f"{live_server.url}/admin/backoffice/renewals/company/{company.id}/")
    page.wait_for_selector("#renewal-refused")
    refusals = {
        row.get_attribute("data-enrollment"): row.get_attribute("data-refusal")
        for row in page.locator("#renewal-refused tr.renewal-person").all()
    }
    assert refusals == {soonest.id: "already_renewed", second.id: "already_renewed", third.id: "no_seat"}
    assert page.locator("#renewal-form").count() == 0
    assert problems == []
