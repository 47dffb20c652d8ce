"""What every back-office page shares: admin context, domain errors on forms, the 403 and 404 pages."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from csp.decorators import csp
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from .. import selectors
from ..exceptions import CompanyNotFound, CourseNotFound, EnrollmentError, InvalidEnrollmentData

security_log = logging.getLogger("backoffice.security")


def requires(permission: str):
    """Let the view run only for users with ``permission``; others get the 403 page."""
    return permission_required(permission, raise_exception=True)


def render_page(request, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    """Render a page with the admin site's context (header, sidebar, user tools)."""
    site = admin.site
    request.current_app = site.name
    return TemplateResponse(request, template, {**site.each_context(request), **context}, status=status)


# The policy of an email's HTML part, in place of the site's: emails carry inline styles (mail clients ignore
# stylesheets), and nothing else may load or run. `sandbox` gives the document an origin of its own even when
# opened outside its frame; only the site's own pages may frame it.
EMAIL_PREVIEW_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "frame-ancestors": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "sandbox": True,
}


def email_html_part(view):
    """Turn ``view``, which returns an email's HTML part, into the page a preview frame loads
    (``includes/email_parts.html``): that HTML under ``EMAIL_PREVIEW_POLICY``, framed by the site's pages only.

    The enrollment page's previews and the development outbox share it.
    """

    @wraps(view)
    def inner(request, *args, **kwargs):
        return HttpResponse(view(request, *args, **kwargs), content_type="text/html; charset=utf-8")

    return xframe_options_sameorigin(csp(EMAIL_PREVIEW_POLICY)(inner))


@dataclass(frozen=True)
class Panel:
    """A box another app adds to a page of the core: its template, included with ``panel`` naming this."""

    template: str
    context: dict


# Per page (``company_detail``, ``failure_list``), the functions of other apps that add a box to it: each takes the
# request and the page's objects and returns a ``Panel`` or ``None``. The core pages import no app of their own.
_PANELS: dict[str, list[Callable[..., Panel | None]]] = {}


def register_panel(page: str, panel: Callable[..., Panel | None]) -> None:
    """Add ``panel(request, **objects)`` to what ``page`` shows (an app's ``admin`` module registers it)."""
    _PANELS.setdefault(page, []).append(panel)


def panels(page: str, request, **objects) -> list[Panel]:
    """Return the boxes other apps add to ``page`` for ``request``, in the order they were registered."""
    return [shown for panel in _PANELS.get(page, []) if (shown := panel(request, **objects)) is not None]


def add_domain_error(form, error: EnrollmentError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's error on the form: on the field it names, else above the form."""
    field = None
    if isinstance(error, InvalidEnrollmentData) and error.field:
        field = (fields or {}).get(error.field, error.field)
        if field not in form.fields:
            field = None
    form.add_error(field, error.message)


def permission_denied(request, exception=None):
    """The 403 page, in the admin's look; every denial goes to the security log."""
    user = getattr(request, "user", None)
    security_log.warning(
        "Permission denied: user_id=%s method=%s path=%s", getattr(user, "pk", None), request.method, request.path
    )
    # Error handlers' responses are not rendered by Django's handler: render here.
    return render_page(request, "403.html", {"title": _("Permission denied")}, status=403).render()


def page_not_found(request, exception=None):
    """The 404 page, in the admin's look and the reader's language."""
    # Error handlers' responses are not rendered by Django's handler: render here.
    return render_page(request, "404.html", {"title": _("Page not found")}, status=404).render()


def no_favicon(request):
    """Answer the browser's ``/favicon.ico`` with 204: there is no icon, and a 404 is a console error on every first page."""
    return HttpResponse(status=204)


def company_or_404(company_id: str):
    """Return the company, or answer 404 with the domain's message."""
    try:
        return selectors.company_get(company_id)
    except CompanyNotFound as error:
        raise Http404(error.message) from None


def course_or_404(course_id: str):
    """Return the course, or answer 404 with the domain's message."""
    try:
        return selectors.course_get(course_id)
    except CourseNotFound as error:
        raise Http404(error.message) from None
