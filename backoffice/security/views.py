"""The second step of the login and the lockout page.

The admin site (``backoffice/admin_site.py``) routes here: after the password, a session that owes a second
factor may open only these pages until it gives one.
"""

import logging
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import policy, services
from .client_ip import client_ip
from .forms import CodeForm

security_log = logging.getLogger("backoffice.security")

# The recovery codes between the setup's POST and the one page that shows them.
_RECOVERY_CODES_KEY = "security.recovery_codes"


def _render(request, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    site = admin.site
    request.current_app = site.name
    return TemplateResponse(request, template, {**site.each_context(request), **context}, status=status)


def _next_url(request) -> str:
    """Return where the login was going (``next``), if it is on this site; else the admin index."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _with_next(url_name: str, request) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    url = reverse(url_name)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        url = f"{url}?{urlencode({'next': target})}"
    return url


def second_step_url(request) -> str:
    """Return the page a session owing its second factor goes to: enter a code, or set up an authenticator."""
    name = "admin:second_factor_verify" if policy.has_authenticator(request.user) else "admin:second_factor_setup"
    return _with_next(name, request)


def qr_code_svg(data: str) -> str:
    """Return ``data`` as a QR code in an inline ``<svg>`` element: no script, no style attribute, no data: URI."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=14, border=2)
    return image.to_string(encoding="unicode")


def second_factor_setup(request):
    """Set up an authenticator app: show its QR code and secret, confirm it with a code, issue recovery codes."""
    user = request.user
    if policy.has_authenticator(user):
        return HttpResponseRedirect(
            second_step_url(request) if policy.second_factor_pending(user) else _next_url(request)
        )
    device = services.totp_device_start(user=user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = services.totp_device_confirm(device=device, code=form.cleaned_data["code"])
        except services.InvalidCode:
            form.add_error("code", _("This code does not match. Type the code the app shows now."))
        else:
            otp_login(request, device)
            request.session[_RECOVERY_CODES_KEY] = codes
            security_log.info("Second factor set up: user_id=%s ip=%s", user.pk, client_ip(request))
            return HttpResponseRedirect(_with_next("admin:recovery_codes", request))
    context = {
        "title": _("Set up two-step verification"),
        "form": form,
        "qr_code": mark_safe(qr_code_svg(device.config_url)),  # noqa: S308 (qrcode's own SVG, no user text)
        "secret": services.totp_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return _render(request, "admin/security/second_factor_setup.html", context)


def recovery_codes(request):
    """Show the recovery codes just issued, once."""
    codes = request.session.pop(_RECOVERY_CODES_KEY, None)
    if not codes:
        return HttpResponseRedirect(_next_url(request))
    context = {"title": _("Recovery codes"), "codes": codes, "next_url": _next_url(request)}
    return _render(request, "admin/security/recovery_codes.html", context)


def second_factor_verify(request):
    """Ask for the code of the authenticator app, or a recovery code, after the password."""
    user = request.user
    if not policy.second_factor_pending(user):
        return HttpResponseRedirect(_next_url(request))
    if not policy.has_authenticator(user):
        return HttpResponseRedirect(second_step_url(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.second_factor_check(user=user, code=form.cleaned_data["code"])
        except services.InvalidCode:
            security_log.warning("Wrong second-factor code: user_id=%s ip=%s", user.pk, client_ip(request))
            form.add_error("code", _("This code is not valid, or was used already. Wait a few seconds and try again."))
        else:
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
    context = {
        "title": _("Two-step verification"),
        "form": form,
    }
    return _render(request, "admin/security/second_factor_verify.html", context)


@require_POST
def second_factor_cancel(request):
    """Log out from the second step (the admin's logout needs a verified session)."""
    logout(request)
    return redirect("admin:login")


def locked_out(request, original_response=None, credentials=None):
    """Answer a login while its username or address is locked out (``AXES_LOCKOUT_CALLABLE``)."""
    limit = settings.AXES_FAILURE_LIMIT
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = " ".join(
        [
            ngettext(
                "Access blocked after %(count)d failed attempt.",
                "Access blocked after %(count)d failed attempts.",
                limit,
            )
            % {"count": limit},
            ngettext(
                "Try again in %(minutes)d minute or ask a supervisor to unlock it.",
                "Try again in %(minutes)d minutes or ask a supervisor to unlock it.",
                minutes,
            )
            % {"minutes": minutes},
        ]
    )
    context = {"title": _("Access blocked"), "message": message}
    return _render(request, "admin/security/locked_out.html", context, status=429).render()
