"""The security log: every failed login and lockout, at WARNING on ``backoffice.security`` (never a password);
a login starts the session's idle clock."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .client_ip import client_ip
from .middleware import mark_activity

security_log = logging.getLogger("backoffice.security")


@receiver(user_login_failed)
def log_failed_login(sender, credentials, request=None, **kwargs):
    security_log.warning(
        "Failed login: username=%r ip=%s",
        credentials.get("username"),
        client_ip(request) if request is not None else None,
    )


@receiver(user_locked_out)
def log_lockout(sender, request, username=None, ip_address=None, **kwargs):
    security_log.warning("Login locked out: username=%r ip=%s", username, ip_address)


@receiver(user_logged_in)
def start_idle_clock(sender, request, user, **kwargs):
    # The login saves the session anyway: the requests of its first minute then write nothing (two at once
    # would both write it, which SQLite refuses).
    if request is not None and hasattr(request, "session"):
        mark_activity(request.session)
