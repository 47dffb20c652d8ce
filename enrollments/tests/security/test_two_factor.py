"""The second factor: who must give it, setting up an authenticator, the code step, recovery codes."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.security import policy, services
from enrollments import permissions

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"  # the staff_user fixture's
ROOT = Path(__file__).resolve().parents[3]
# A key the production settings accept (50 or more characters, many different ones).
STRONG_KEY = "test-only-" + "0123456789abcdef" * 4


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """Return the code the device's app shows now (or ``steps_ahead`` periods later, within its tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, drift=steps_ahead)
    return f"{totp.token():0{device.digits}d}"


def _log_in(client, user, next_url: str = "/admin/"):
    return client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD, "next": next_url})


def _set_up(user) -> tuple[TOTPDevice, list[str]]:
    device = services.totp_device_start(user=user)
    return device, services.totp_device_confirm(device=device, code=_code(device))


@pytest.fixture
def privileged(settings):
    settings.TWO_FACTOR_REQUIRED_FOR = policy.PRIVILEGED


@pytest.mark.parametrize(
    ("required_for", "group", "superuser", "required"),
    [
        (policy.PRIVILEGED, permissions.SUPERVISORS, False, True),
        (policy.PRIVILEGED, None, True, True),
        (policy.PRIVILEGED, permissions.OPERATORS, False, False),
        (policy.EVERYONE, permissions.VIEWERS, False, True),
        (policy.NOBODY, permissions.SUPERVISORS, True, False),
    ],
)
def test_second_factor_required__by_setting_group_and_superuser(
    settings, staff_user, required_for, group, superuser, required
):
    settings.TWO_FACTOR_REQUIRED_FOR = required_for
    user = staff_user(group)
    user.is_superuser = superuser
    user.save()

    assert policy.second_factor_required(user) is required


def test_second_factor_required__group_named_in_two_factor_groups__required(settings, staff_user):
    settings.TWO_FACTOR_REQUIRED_FOR = policy.PRIVILEGED
    settings.TWO_FACTOR_GROUPS = [permissions.SUPERVISORS, permissions.OPERATORS]

    assert policy.second_factor_required(staff_user(permissions.OPERATORS)) is True
    assert policy.second_factor_required(staff_user(permissions.VIEWERS)) is False


@pytest.mark.slow
@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DEBUG": "true"}, "nobody"),
        ({"DEBUG": "true", "STAFF_2FA_REQUIRED": "true"}, "everyone"),
        ({"DEBUG": "true", "STAFF_2FA_REQUIRED": "false"}, "privileged"),
        ({"DEBUG": "false", "SECRET_KEY": STRONG_KEY}, "privileged"),
        ({"DEBUG": "false", "SECRET_KEY": STRONG_KEY, "STAFF_2FA_REQUIRED": "true"}, "everyone"),
    ],
)
def test_settings__staff_2fa_required_and_debug__who_must_give_a_second_factor(environment, expected):
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "STAFF_2FA_REQUIRED")}
    script = "import backoffice.settings as s; print(s.TWO_FACTOR_REQUIRED_FOR)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**env, **environment}, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == expected, result.stderr


def test_login__supervisor_without_authenticator__sent_to_setup_and_kept_there(client, staff_user, privileged):
    user = staff_user(permissions.SUPERVISORS)
    list_url = reverse("admin:enrollment_list")

    logged_in = _log_in(client, user, next_url=list_url)
    page = client.get(list_url)
    login_page = client.get(page["Location"])

    assert logged_in.status_code == 302 and logged_in["Location"] == list_url
    assert page.status_code == 302 and page["Location"].startswith(reverse("admin:login"))
    assert login_page.status_code == 302
    assert (
        login_page["Location"] == f"{reverse('admin:second_factor_setup')}?next=%2Fadmin%2Fbackoffice%2Fenrollments%2F"
    )
    assert client.get(reverse("admin:index")).status_code == 302


def test_login__operator_without_authenticator_when_privileged_only__one_step(client, staff_user, privileged):
    user = staff_user(permissions.OPERATORS)

    _log_in(client, user)

    assert client.get(reverse("admin:enrollment_list")).status_code == 200


def test_login__supervisor_with_debug_defaults__one_step(client, staff_user, settings):
    settings.TWO_FACTOR_REQUIRED_FOR = policy.NOBODY
    user = staff_user(permissions.SUPERVISORS)

    _log_in(client, user)

    assert client.get(reverse("admin:enrollment_list")).status_code == 200


def test_setup_page__qr_code_inline_svg_and_the_secret__no_script_style_or_data_uri(client, staff_user, privileged):
    user = staff_user(permissions.SUPERVISORS)
    _log_in(client, user)

    response = client.get(reverse("admin:second_factor_setup"))

    html = response.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert response.status_code == 200 and not device.confirmed
    assert '<div id="totp-qr-code"><svg ' in html
    assert services.totp_secret(device) in html
    start, end = html.index('<div id="totp-qr-code">'), html.index("</svg>")
    assert not any(word in html[start:end] for word in ("<script", "style=", "data:"))
    # Reloading keeps the secret the person may have scanned already.
    client.get(reverse("admin:second_factor_setup"))
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_setup__wrong_code__error_and_device_unconfirmed(client, staff_user, privileged):
    user = staff_user(permissions.SUPERVISORS)
    _log_in(client, user)
    client.get(reverse("admin:second_factor_setup"))
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"

    response = client.post(reverse("admin:second_factor_setup"), {"code": wrong})

    assert response.status_code == 200
    assert "This code does not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("admin:enrollment_list")).status_code == 302


def test_setup__right_code__recovery_codes_shown_once_then_the_back_office_opens(client, staff_user, privileged):
    user = staff_user(permissions.SUPERVISORS)
    list_url = reverse("admin:enrollment_list")
    _log_in(client, user, next_url=list_url)
    setup_url = f"{reverse('admin:second_factor_setup')}?next={list_url}"
    client.get(setup_url)
    device = TOTPDevice.objects.get(user=user)

    confirmed = client.post(setup_url, {"code": _code(device)})
    codes_page = client.get(confirmed["Location"])
    again = client.get(confirmed["Location"])

    assert confirmed.status_code == 302 and confirmed["Location"].startswith(reverse("admin:recovery_codes"))
    codes = codes_page.context["codes"]
    assert len(codes) == services.RECOVERY_CODES == len(set(codes))
    assert all(f"<code>{code}</code>" in codes_page.content.decode() for code in codes)
    assert f'href="{list_url}"' in codes_page.content.decode()
    assert again.status_code == 302 and again["Location"] == list_url
    assert client.get(list_url).status_code == 200


def test_login__with_authenticator__code_step_then_in(client, staff_user, privileged, caplog, settings):
    # django-otp makes each wrong code wait longer before the next try (1 s after the first): not under test here.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = staff_user(permissions.SUPERVISORS)
    device, _codes = _set_up(user)
    _log_in(client, user)
    verify_url = client.get(client.get(reverse("admin:index"))["Location"])["Location"]
    assert verify_url.startswith(reverse("admin:second_factor_verify"))

    with caplog.at_level(logging.WARNING, logger="backoffice.security"):
        wrong = client.post(verify_url, {"code": "000000" if _code(device) != "000000" else "111111"})
    right = client.post(verify_url, {"code": _code(device, steps_ahead=1)})

    assert wrong.status_code == 200 and "This code is not valid" in wrong.content.decode()
    assert f"Wrong second-factor code: user_id={user.pk} ip=127.0.0.1" in caplog.text
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get(reverse("admin:enrollment_list")).status_code == 200


def test_login__recovery_code__works_once(client, staff_user, privileged):
    user = staff_user(permissions.SUPERVISORS)
    _device, codes = _set_up(user)
    verify_url = reverse("admin:second_factor_verify")

    _log_in(client, user)
    first = client.post(verify_url, {"code": codes[0].upper()})
    client.post(reverse("admin:logout"))
    _log_in(client, user)
    second = client.post(verify_url, {"code": codes[0]})

    assert first.status_code == 302
    assert second.status_code == 200 and "This code is not valid" in second.content.decode()
    assert client.get(reverse("admin:enrollment_list")).status_code == 302


def test_login__operator_who_set_up_an_authenticator__asked_for_it_though_not_required(client, staff_user, privileged):
    user = staff_user(permissions.OPERATORS)
    device, _codes = _set_up(user)

    _log_in(client, user)

    assert client.get(reverse("admin:enrollment_list")).status_code == 302
    client.post(reverse("admin:second_factor_verify"), {"code": _code(device, steps_ahead=1)})
    assert client.get(reverse("admin:enrollment_list")).status_code == 200


def test_second_step_cancel__logs_out(client, staff_user, privileged):
    user = staff_user(permissions.SUPERVISORS)
    _log_in(client, user)

    response = client.post(reverse("admin:second_factor_cancel"))

    assert response.status_code == 302 and response["Location"] == reverse("admin:login")
    assert "_auth_user_id" not in client.session


def test_second_step_pages__anonymous__redirect_to_login(client):
    response = client.get(reverse("admin:second_factor_setup"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_totp_device_confirm__replaces_older_devices_and_recovery_codes(staff_user):
    user = staff_user(permissions.SUPERVISORS)
    _old_device, old_codes = _set_up(user)
    # A lost phone: a superuser deletes the device in the admin, or the user sets up again.
    device = TOTPDevice.objects.create(user=user, name="new phone", confirmed=False)

    new_codes = services.totp_device_confirm(device=device, code=_code(device))

    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert not set(old_codes) & set(new_codes)
    with pytest.raises(services.InvalidCode):
        services.second_factor_check(user=get_user_model().objects.get(pk=user.pk), code=old_codes[0])
