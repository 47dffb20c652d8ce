"""Failed emails: the lifecycle records that gave up, newest first, and sending them again."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import permissions, selectors
from ..exceptions import EnrollmentError, InvalidCursor
from ..forms import company_choices
from ..services import Author, lifecycle_failure_resend, lifecycle_failures_resend
from ..services.failures import ALREADY_RESENT
from .common import company_or_404, panels, render_page, requires


def _list_url(company_id: str = "") -> str:
    url = reverse("admin:failure_list")
    return f"{url}?{urlencode({'company': company_id})}" if company_id else url


@requires(permissions.VIEW)
def failure_list(request):
    """List failed emails newest first, of every company or of one, a page at a time."""
    companies = selectors.company_list()
    names = {company.id: company.name for company in companies}
    company_id = request.GET.get("company", "")
    if company_id not in names:
        company_id = ""
    filters = {"tenant_id": company_id or None, "page_size": selectors.FAILURE_PAGE_SIZE}
    try:
        failures, next_cursor = selectors.lifecycle_failure_list(cursor=request.GET.get("cursor"), **filters)
    except InvalidCursor as error:
        messages.warning(request, error.message)
        failures, next_cursor = selectors.lifecycle_failure_list(**filters)
    query = {"company": company_id} if company_id else {}
    context = {
        "title": _("Failed emails"),
        # Each failure names its person: the page's enrollments, by id, from one BatchGet.
        "enrollments": selectors.enrollments_by_id({failure.enrollment_id for failure in failures}),
        "company_choices": company_choices(companies),
        "company_id": company_id,
        "company_name": names.get(company_id, ""),
        "rows": [(failure, names.get(failure.tenant_id, failure.tenant_id)) for failure in failures],
        "next_url": "?" + urlencode({**query, "cursor": next_cursor}) if next_cursor else None,
        "first_url": ("?" + urlencode(query)) if request.GET.get("cursor") else None,
        "can_resend": request.user.has_perm(permissions.ENROLL),
        "panels": panels("failure_list", request, company_id=company_id or None, company_names=names),
    }
    return render_page(request, "admin/backoffice/failure_list.html", context)


@requires(permissions.ENROLL)
@require_POST
def failure_resend(request):
    """Send one failed email again; a second click finds it sent again already."""
    company_id = request.POST.get("company", "")
    try:
        outcome = lifecycle_failure_resend(
            failure_sk=request.POST.get("failure", ""), author=Author.from_user(request.user)
        )
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        if outcome == ALREADY_RESENT:
            messages.info(request, _("This email was already sent again; it is no longer in the list."))
        else:
            messages.success(request, _("The email goes back to the scheduler and is sent again in a moment."))
    return HttpResponseRedirect(_list_url(company_id))


@requires(permissions.ENROLL)
@require_POST
def failure_resend_all(request):
    """Send every failed email of a company again; those that cannot be are named with the reason."""
    company_id = request.POST.get("company", "")
    if not company_id:
        messages.error(request, _("Choose a company to send its failed emails again."))
        return HttpResponseRedirect(_list_url())
    company_id = company_or_404(company_id).id
    try:
        report = lifecycle_failures_resend(tenant_id=company_id, author=Author.from_user(request.user))
    except EnrollmentError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(_list_url(company_id))
    messages.success(
        request,
        ngettext(
            "%(count)s email goes back to the scheduler and is sent again in a moment.",
            "%(count)s emails go back to the scheduler and are sent again in a moment.",
            report.resent,
        )
        % {"count": number_format(report.resent, force_grouping=True)},
    )
    for failure, reason in report.refused:
        messages.warning(
            request, _("Not sent again to %(email)s: %(reason)s") % {"email": failure.recipient_email, "reason": reason}
        )
    if report.more:
        messages.info(request, _("More failed emails remain: send them again once more."))
    return HttpResponseRedirect(_list_url(company_id))
