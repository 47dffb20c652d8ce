"""Sessions end after SESSION_IDLE_TIMEOUT_SECONDS without a request, and at browser close."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from enrollments import permissions

pytestmark = pytest.mark.django_db


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_login__session_cookie__no_max_age_nor_expiry_so_it_ends_at_browser_close(client, staff_user):
    user = staff_user(permissions.VIEWERS)

    response = client.post(reverse("admin:login"), {"username": user.username, "password": "pw-for-tests"})

    cookie = response.cookies["sessionid"]
    assert response.status_code == 302
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_session__idle_past_the_timeout__logged_out(client, login):
    login(permissions.VIEWERS)
    client.get(reverse("admin:index"))
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("admin:enrollment_list"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_session__activity__moves_the_expiry_a_whole_timeout_ahead(client, login, settings):
    login(permissions.VIEWERS)
    client.get(reverse("admin:index"))
    Session.objects.filter(pk=_session(client).pk).update(expire_date=timezone.now() + timedelta(seconds=30))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert _session(client).expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_session__short_timeout_setting__expiry_follows_it(client, login, settings):
    settings.SESSION_COOKIE_AGE = 120
    login(permissions.VIEWERS)

    client.get(reverse("admin:index"))

    assert _session(client).expire_date < timezone.now() + timedelta(seconds=121)
