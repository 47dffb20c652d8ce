"""The clients' API's docs page in a real browser: Swagger UI from the app's own static files, under the site's
Content-Security-Policy, lists the API's operations with no error and no violation."""

import pytest

from enrollments.tests.browser_support import watch_console

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs__in_the_browser__operations_listed_no_csp_violation_no_external_request(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    problems = watch_console(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")

    paths = page.locator(".opblock-summary-path").all_text_contents()
    assert "/api/v1/courses" in paths and "/api/v1/enrollments" in paths
    assert problems == []
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested)
    context.close()
