"""The failed-emails page in a real browser: each failure's cause in words, opened from the keyboard for what to do
and the error as recorded, in pt-BR and in English, within the Content-Security-Policy."""

import uuid

import pytest

from enrollments import clock, permissions
from enrollments.dynamo import keys
from enrollments.dynamo.models import LifecycleFailureItem
from enrollments.tests.browser_support import log_in, member, watch_console
from enrollments.tests.factories import make_company

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RAW = "recipient refused: ana@example.com 552 5.2.2 mailbox full"


@pytest.fixture
def failure():
    """A company with one failed email, stored without a cause as failures were before causes existed."""
    company = make_company(billing="postpaid")
    now, enrollment_id = clock.now_iso(), str(uuid.uuid4())
    LifecycleFailureItem(
        *keys.lifecycle_failure(failed_at=now, enrollment_id=enrollment_id, event="welcome"),
        created_at=now,
        enrollment_id=enrollment_id,
        event="welcome",
        attempts=1,
        last_error=RAW,
        recipient_email="ana@example.com",
        tenant_id=company.id,
    ).save()
    return company


@pytest.mark.parametrize(
    ("locale", "cause", "hint"),
    [
        ("pt-BR", "Caixa postal cheia", "A caixa postal do destinatário está cheia."),
        ("en-US", "Mailbox full", "The recipient's mailbox is full."),
    ],
)
def test_viewer__failed_email__cause_in_words_opened_from_the_keyboard_for_what_to_do_and_the_error(
    browser, live_server, failure, locale, cause, hint
):
    context = browser.new_context(locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = watch_console(page)
    log_in(page, live_server, member(permissions.VIEWERS))

    page.goto(f"{live_server.url}/admin/backoffice/failures/?company={failure.id}")
    summary = page.locator("tr.failure td.last-error details.send-error summary")
    shown_closed = summary.inner_text()
    hint_hidden = page.locator(".send-error-hint").is_hidden()
    summary.focus()
    page.keyboard.press("Enter")

    assert (shown_closed, hint_hidden) == (cause, True)
    assert page.locator(".send-error-hint").inner_text().startswith(hint)
    assert page.locator("code.send-error-text").inner_text() == RAW
    assert problems == []
    context.close()
