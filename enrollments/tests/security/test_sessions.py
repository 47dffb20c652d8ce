"""Sessions end after SESSION_IDLE_TIMEOUT_SECONDS without a request, and at browser close."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from backoffice.security.middleware import LAST_ACTIVITY_KEY, REFRESH_SECONDS
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


def _last_moved(client, *, seconds_ago: int, expires_in: int) -> None:
    """Make the session look last moved ``seconds_ago``, expiring in ``expires_in`` seconds."""
    store = SessionStore(session_key=client.session.session_key)
    store[LAST_ACTIVITY_KEY] = int(timezone.now().timestamp()) - seconds_ago
    store.save()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + timedelta(seconds=expires_in))


def test_session__activity__moves_the_expiry_a_whole_timeout_ahead(client, login, settings):
    login(permissions.VIEWERS)
    client.get(reverse("admin:index"))
    _last_moved(client, seconds_ago=REFRESH_SECONDS + 1, expires_in=30)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert _session(client).expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert "sessionid" in response.cookies and response.cookies["sessionid"]["max-age"] == ""


def test_session__activity_within_a_minute_of_the_last_move__no_session_write(client, login):
    login(permissions.VIEWERS)
    client.get(reverse("admin:index"))
    _last_moved(client, seconds_ago=5, expires_in=3600)
    before = _session(client).expire_date

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert _session(client).expire_date == before
    assert "sessionid" not in response.cookies


def test_session__short_timeout_setting__expiry_follows_it(client, login, settings):
    settings.SESSION_COOKIE_AGE = 120
    login(permissions.VIEWERS)
    client.get(reverse("admin:index"))
    _last_moved(client, seconds_ago=REFRESH_SECONDS, expires_in=5)

    client.get(reverse("admin:index"))

    assert (
        timezone.now() + timedelta(seconds=60) < _session(client).expire_date < timezone.now() + timedelta(seconds=121)
    )
