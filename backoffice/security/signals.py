"""The security log: every failed login and lockout, at WARNING on ``backoffice.security`` (never a password)."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .client_ip import client_ip

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
