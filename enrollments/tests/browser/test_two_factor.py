"""The whole second-factor flow in Chromium: setup, recovery codes, the code step, a recovery code used once."""

import base64

import pytest
from django_otp.oath import TOTP

from backoffice.security import policy
from enrollments import permissions
from enrollments.tests.browser_support import PASSWORD, member

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    """Return the code an authenticator app shows for the secret typed from the page (30 s steps, 6 digits)."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{TOTP(key, drift=steps_ahead).token():06d}"


def _password_step(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def _log_out(page) -> None:
    page.click("#logout-form button[type=submit]")
    page.wait_for_url("**/admin/logout/")


def test_supervisor__setup_recovery_codes_and_both_kinds_of_code__a_recovery_code_works_once(
    page, live_server, settings
):
    settings.TWO_FACTOR_REQUIRED_FOR = policy.PRIVILEGED
    user = member(permissions.SUPERVISORS)

    # The password alone leads to the setup page, which shows the QR code and the key to type.
    _password_step(page, live_server, user)
    page.wait_for_url("**/admin/two-step/setup/**")
    assert page.locator("#totp-qr-code svg").count() == 1
    secret = page.locator("#totp-secret").inner_text()
    page.goto(f"{live_server.url}/admin/backoffice/enrollments/")
    assert "/admin/two-step/setup/" in page.url

    page.fill("#id_code", _code(secret))
    page.click("#second-step-form input[type=submit]")
    page.wait_for_url("**/admin/two-step/recovery-codes/**")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("#recovery-codes-done")
    page.wait_for_url(f"{live_server.url}/admin/backoffice/enrollments/")
    _log_out(page)

    # Password, then the app's code (the next period's: the one just used cannot serve twice).
    _password_step(page, live_server, user)
    page.wait_for_url("**/admin/two-step/?next=**")
    page.fill("#id_code", _code(secret, steps_ahead=1))
    page.click("#second-step-form input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    _log_out(page)

    # Password, then a recovery code instead.
    _password_step(page, live_server, user)
    page.wait_for_url("**/admin/two-step/?next=**")
    page.fill("#id_code", codes[0])
    page.click("#second-step-form input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#logout-form").count() == 1
    _log_out(page)

    # The same recovery code again: refused, and the back office stays closed.
    _password_step(page, live_server, user)
    page.wait_for_url("**/admin/two-step/?next=**")
    page.fill("#id_code", codes[0])
    page.click("#second-step-form input[type=submit]")
    page.wait_for_load_state()
    assert "/admin/two-step/" in page.url
    assert "This code is not valid, or was used already" in page.locator("#second-step-form").inner_text()
    page.goto(f"{live_server.url}/admin/backoffice/enrollments/")
    assert "/admin/two-step/" in page.url
