"""Login lockouts (django-axes) and the security log of failed logins and permission denials."""

import logging

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from backoffice.security.client_ip import client_ip
from enrollments import permissions

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"  # the staff_user fixture's
LOCKED_PT_BR = (
    "Acesso bloqueado após 5 tentativas sem sucesso. "
    "Tente de novo em 15 minutos ou peça a um supervisor para desbloquear."
)


def _log_in(client, username: str, password: str, **headers):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def _fail(client, username: str, times: int, **headers) -> None:
    for _ in range(times):
        response = _log_in(client, username, "wrong-password", **headers)
        assert "_auth_user_id" not in client.session
        assert response.status_code in (200, 429)


def test_login__wrong_password_limit_times__right_one_refused_with_the_pt_br_message(client, staff_user, settings):
    user = staff_user(permissions.OPERATORS)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)

    response = _log_in(client, user.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="pt-br")

    assert response.status_code == 429
    assert LOCKED_PT_BR in response.content.decode()
    assert "admin/css/base.css" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login__one_failure_below_the_limit__right_password_logs_in(client, staff_user, settings):
    user = staff_user(permissions.OPERATORS)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT - 1)

    response = _log_in(client, user.username, PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_lockout_message__one_attempt_one_minute__singular_in_pt_br(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = __import__("datetime").timedelta(minutes=1)
    user = staff_user(permissions.OPERATORS)
    _fail(client, user.username, 1)

    response = _log_in(client, user.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="pt-br")

    assert response.status_code == 429
    assert (
        "Acesso bloqueado após 1 tentativa sem sucesso. Tente de novo em 1 minuto ou peça a um supervisor"
        in response.content.decode()
    )


def test_login__username_failing_from_many_addresses__locked_from_a_new_one(client, staff_user, settings):
    user = staff_user(permissions.OPERATORS)
    for number in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, user.username, 1, REMOTE_ADDR=f"10.0.0.{number + 1}")

    response = _log_in(client, user.username, PASSWORD, REMOTE_ADDR="10.0.1.1")

    assert response.status_code == 429


def test_login__address_failing_for_many_usernames__locks_another_user_out(client, staff_user, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, f"nobody-{number}", 1, REMOTE_ADDR="10.0.2.1")
    user = staff_user(permissions.OPERATORS)

    locked = _log_in(client, user.username, PASSWORD, REMOTE_ADDR="10.0.2.1")
    elsewhere = _log_in(client, user.username, PASSWORD, REMOTE_ADDR="10.0.2.2")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_login__forwarded_for_without_a_trusted_proxy__ignored_so_the_address_stays_locked(
    client, staff_user, settings
):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for number in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, f"nobody-{number}", 1, REMOTE_ADDR="10.0.3.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    user = staff_user(permissions.OPERATORS)

    response = _log_in(client, user.username, PASSWORD, REMOTE_ADDR="10.0.3.1", HTTP_X_FORWARDED_FOR="192.0.2.200")

    assert response.status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "192.0.2.9", "10.0.0.1"),
        (1, "192.0.2.9", "192.0.2.9"),
        (1, "6.6.6.6, 192.0.2.9", "192.0.2.9"),
        (2, "6.6.6.6, 192.0.2.9, 10.1.1.1", "192.0.2.9"),
        (2, "192.0.2.9", "10.0.0.1"),
    ],
)
def test_client_ip__trusted_proxy_count__takes_the_address_the_first_trusted_proxy_saw(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_axes_reset_username__locked_user__logs_in_again(client, staff_user, settings):
    user = staff_user(permissions.OPERATORS)
    _fail(client, user.username, settings.AXES_FAILURE_LIMIT)
    assert _log_in(client, user.username, PASSWORD).status_code == 429

    call_command("axes_reset_username", user.username)
    response = _log_in(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_axes_reset_ip__locked_address__logs_in_again(client, staff_user, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, f"nobody-{number}", 1, REMOTE_ADDR="10.0.4.1")
    user = staff_user(permissions.OPERATORS)
    assert _log_in(client, user.username, PASSWORD, REMOTE_ADDR="10.0.4.1").status_code == 429

    call_command("axes_reset_ip", "10.0.4.1")
    response = _log_in(client, user.username, PASSWORD, REMOTE_ADDR="10.0.4.1")

    assert response.status_code == 302


def test_failed_login__logged_at_warning_with_username_and_address__never_the_password(client, staff_user, caplog):
    user = staff_user(permissions.OPERATORS)

    with caplog.at_level(logging.WARNING, logger="backoffice.security"):
        _log_in(client, user.username, "my-secret-guess", REMOTE_ADDR="10.0.5.1")

    records = [record for record in caplog.records if record.name == "backoffice.security"]
    assert [(record.levelno, record.getMessage()) for record in records] == [
        (logging.WARNING, f"Failed login: username={user.username!r} ip=10.0.5.1")
    ]
    assert "my-secret-guess" not in caplog.text


def test_lockout__logged_at_warning(client, staff_user, settings, caplog):
    user = staff_user(permissions.OPERATORS)

    with caplog.at_level(logging.WARNING, logger="backoffice.security"):
        _fail(client, user.username, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.6.1")

    messages = [record.getMessage() for record in caplog.records if record.name == "backoffice.security"]
    assert f"Login locked out: username={user.username!r} ip=10.0.6.1" in messages


def test_permission_denied__logged_at_warning_with_user_and_path(client, login, caplog):
    user = login(permissions.VIEWERS)
    url = reverse("admin:enrollment_add")

    with caplog.at_level(logging.WARNING, logger="backoffice.security"):
        response = client.post(url)

    assert response.status_code == 403
    denials = [
        record
        for record in caplog.records
        if record.name == "backoffice.security" and record.getMessage().startswith("Permission denied")
    ]
    assert [(record.levelno, record.getMessage()) for record in denials] == [
        (logging.WARNING, f"Permission denied: user_id={user.pk} method=POST path={url}")
    ]
