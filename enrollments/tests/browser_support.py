"""Pages in a real browser: Debian's Chromium driven by Playwright (the fixtures are in ``conftest.py``).

The pages' Content-Security-Policy applies to the tests too: ``page.wait_for_function`` takes a function
("() => ..."), since Playwright evaluates a bare expression with eval, which the policy refuses.
"""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from enrollments.permissions import sync_groups

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-pw"
# Run in every document and frame before its own scripts: reports each Content-Security-Policy violation as a
# console error. Chromium logs most of them itself; this names every one the same way, with its directive.
CSP_VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  // blockedURI: the URL refused, or "inline" for inline code.
  console.error("CSP violation: " + event.effectiveDirective + " refused " + event.blockedURI + " in " + event.documentURI);
});
"""


def watch_console(page) -> list[str]:
    """Return a list that fills with ``page``'s console errors, uncaught errors and CSP violations, frames included."""
    problems = []
    page.add_init_script(CSP_VIOLATION_LISTENER)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def member(group: str):
    """Return a new staff user of ``group`` whose password is ``PASSWORD``."""
    # The live server needs committed data, so each test ends with a flush that takes the groups too.
    sync_groups()
    user = get_user_model().objects.create_user(
        username=f"{group}-{uuid.uuid4().hex[:6]}",
        password=PASSWORD,
        is_staff=True,
        first_name="Bia",
        last_name="Browser",
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, live_server, user) -> None:
    """Log ``user`` in through the admin's login page."""
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def back_office_paths(*, company, course, enrollment, job=None, webhook_company=None) -> list[str]:
    """Return every back-office page, relative to ``/admin/``, for these items (an import's page with ``job``, the
    webhook endpoint's pages with ``webhook_company``, a company that has one)."""
    paths = [
        "",
        "?recent=all",
        "backoffice/",
        "backoffice/enrollments/",
        f"backoffice/enrollments/?company={company.id}&status=PENDING",
        f"backoffice/enrollments/?q=jo%C3%A3o&company={company.id}",
        "backoffice/enrollments/add/",
        f"backoffice/enrollments/add/?company={company.id}",
        f"backoffice/enrollments/{enrollment.id}/",
        f"backoffice/enrollments/{enrollment.id}/cancel/",
        f"backoffice/enrollments/{enrollment.id}/complete/",
        "backoffice/companies/",
        "backoffice/companies/add/",
        f"backoffice/companies/{company.id}/",
        f"backoffice/companies/{company.id}/edit/",
        f"backoffice/companies/{company.id}/contacts/add/",
        f"backoffice/companies/{company.id}/api-keys/add/",
        f"backoffice/companies/{company.id}/webhook/add/",
        f"backoffice/companies/{company.id}/webhook/events/",
        "backoffice/courses/",
        "backoffice/courses/add/",
        f"backoffice/courses/{course.id}/",
        f"backoffice/courses/{course.id}/edit/",
        "backoffice/orders/",
        f"backoffice/orders/?company={company.id}",
        "backoffice/orders/add/",
        "backoffice/imports/",
        "backoffice/imports/add/",
        "backoffice/bulk-cancels/",
        "backoffice/failures/",
        f"backoffice/failures/?company={company.id}",
        "backoffice/reports/",
        f"backoffice/reports/?company={company.id}",
        f"backoffice/reports/company/{company.id}/",
        f"backoffice/reports/company/{company.id}/{course.id}/not_started/",
        f"backoffice/reports/company/{company.id}/{course.id}/expiring_30/",
        "backoffice/renewals/",
        f"backoffice/renewals/company/{company.id}/",
        f"backoffice/renewals/company/{company.id}/?course={course.id}&bucket=expiring_30",
        f"backoffice/renewals/company/{company.id}/pending/",
    ]
    if webhook_company is not None:
        paths += [
            f"backoffice/companies/{webhook_company.id}/",
            f"backoffice/companies/{webhook_company.id}/webhook/",
            f"backoffice/companies/{webhook_company.id}/webhook/edit/",
            f"backoffice/companies/{webhook_company.id}/webhook/events/",
        ]
    return paths + ([f"backoffice/imports/{job.job_id}/"] if job is not None else [])
