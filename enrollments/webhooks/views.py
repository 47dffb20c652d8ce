"""Back-office pages of webhooks: a company's endpoint registered, shown (with its signing secret on request), edited,
its secret rotated; its delivery log with "send again"; and the box on the company's page."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import permissions, rules
from ..exceptions import EnrollmentError, InvalidCursor
from ..services import Author
from ..services.claims import tries
from ..views.catalog import FormPage, form_page, submit_form
from ..views.common import Panel, add_domain_error, company_or_404, render_page, requires
from . import selectors, services, transport
from .delivery import ENDPOINT_GONE, ENDPOINT_PAUSED, max_tries
from .forms import EVENT_LABELS, RevisionForm, WebhookEndpointEditForm, WebhookEndpointForm

# Set when the secret was just made (registered, rotated): the next view of the endpoint shows it.
_SESSION_SHOW_SECRET = "webhook_secret:{}"
LOG_PAGE_SIZE = 50


def _endpoint_url(company_id: str) -> str:
    return reverse("admin:webhook_detail", args=[company_id])


def _endpoint_or_404(company_id: str):
    endpoint = selectors.endpoint_find(company_id)
    if endpoint is None:
        raise Http404(_("This company has no webhook endpoint."))
    return endpoint


def _page(title: str, *, submit: str = "") -> FormPage:
    return FormPage(title=title, submit=submit or _("Save"), section=_("Companies"), section_url="admin:company_list")


@requires(permissions.MANAGE_COMPANIES)
def webhook_add(request, company_id: str):
    """Register the company's webhook endpoint, then show its signing secret; a form sent twice registers one."""
    company = company_or_404(company_id)

    def save(data):
        endpoint = services.webhook_endpoint_register(
            company_id=company.id, url=data["url"], events=data["events"], author=Author.from_user(request.user)
        )
        request.session[_SESSION_SHOW_SECRET.format(company.id)] = True
        return endpoint

    def already_created(_error, _data):
        messages.info(request, _("This company already has a webhook endpoint; this is it."))
        return HttpResponseRedirect(_endpoint_url(company.id))

    return submit_form(
        request,
        WebhookEndpointForm(request.POST or None),
        _page(_("Register a webhook endpoint for %(company)s") % {"company": company.name}, submit=_("Register")),
        save=save,
        saved=lambda _endpoint: (_("Webhook endpoint registered."), _endpoint_url(company.id)),
        already_created=already_created,
    )


def _detail(request, company, endpoint, *, show_secret: bool):
    return render_page(
        request,
        "admin/backoffice/webhook_detail.html",
        {
            "title": _("Webhook endpoint of %(company)s") % {"company": company.name},
            "company": company,
            "endpoint": endpoint,
            "events": [EVENT_LABELS[event] for event in EVENT_LABELS if event in endpoint.events],
            "show_secret": show_secret,
            "max_tries": max_tries(),
        },
    )


@requires(permissions.MANAGE_COMPANIES)
def webhook_detail(request, company_id: str):
    """Show the company's endpoint; its signing secret right after it was made, or when asked for (POST)."""
    company = company_or_404(company_id)
    endpoint = _endpoint_or_404(company.id)
    just_made = request.session.pop(_SESSION_SHOW_SECRET.format(company.id), False)
    return _detail(request, company, endpoint, show_secret=bool(just_made) or request.method == "POST")


@require_POST
@requires(permissions.MANAGE_COMPANIES)
def webhook_rotate(request, company_id: str):
    """Give the endpoint a new signing secret and show it; the same click twice rotates once."""
    company = company_or_404(company_id)
    _endpoint_or_404(company.id)
    form = RevisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was damaged; reload the page."))
    elif services.webhook_secret_rotate(
        company_id=company.id, revision=form.cleaned_data["revision"], author=Author.from_user(request.user)
    ):
        request.session[_SESSION_SHOW_SECRET.format(company.id)] = True
        messages.success(request, _("New signing secret made: the old one signs nothing more."))
    else:
        messages.info(request, _("The endpoint changed meanwhile (the same click twice?); nothing more was changed."))
    return HttpResponseRedirect(_endpoint_url(company.id))


@requires(permissions.MANAGE_COMPANIES)
def webhook_edit(request, company_id: str):
    """Change the endpoint's address or events, or pause it; written only over the revision the page read."""
    company = company_or_404(company_id)
    endpoint = _endpoint_or_404(company.id)
    initial = {
        "url": endpoint.url,
        "events": sorted(endpoint.events),
        "active": endpoint.active,
        "revision": endpoint.revision,
    }
    form = WebhookEndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            written = services.webhook_endpoint_update(
                company_id=company.id,
                url=data["url"],
                events=data["events"],
                active=data["active"],
                revision=data["revision"],
                author=Author.from_user(request.user),
            )
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            if written:
                messages.success(request, _("Webhook endpoint saved."))
            else:
                messages.info(
                    request, _("The endpoint changed meanwhile (the same form twice?); nothing more was changed.")
                )
            return HttpResponseRedirect(_endpoint_url(company.id))
    return form_page(request, form, _page(_("Edit the webhook endpoint of %(company)s") % {"company": company.name}))


def answer_text(event) -> str:
    """Say an event's last answer in the reader's language: the HTTP status, or what went wrong without one."""
    if event.last_status is not None:
        return _("HTTP %(status)s") % {"status": event.last_status}
    if not event.last_error:
        return "—"
    said = {
        ENDPOINT_GONE: _("The endpoint was removed"),
        ENDPOINT_PAUSED: _("The endpoint is paused"),
        transport.TIMEOUT: _("No answer in time"),
        transport.TLS: _("The endpoint's certificate was refused"),
        transport.CONNECTION_REFUSED: _("The endpoint refused the connection"),
        transport.ADDRESS_REFUSED: _("The address was refused (not found, or internal)"),
        transport.NETWORK: _("Network error"),
    }
    return said.get(event.last_error) or said[transport.error_kind(event.last_error)]


_STATES = {
    rules.RECORD_PENDING: "pending",
    rules.RECORD_SENDING: "pending",
    rules.RECORD_SENT: "delivered",
    rules.RECORD_FAILED: "failed",
}


def _state_label(state: str) -> str:
    return {
        "pending": _("Pending"),
        "delivered": _("Delivered"),
        "failed": _("Failed"),
    }[_STATES.get(state, "pending")]


@requires(permissions.MANAGE_COMPANIES)
def webhook_events(request, company_id: str):
    """The company's delivery log: its recent webhook events, newest first, with "send again"."""
    company = company_or_404(company_id)
    endpoint = selectors.endpoint_find(company.id)
    before = request.GET.get("before") or None
    try:
        events, next_cursor = selectors.event_page(company.id, before=before, size=LOG_PAGE_SIZE)
    except InvalidCursor as error:
        messages.warning(request, error.message)
        events, next_cursor = selectors.event_page(company.id, size=LOG_PAGE_SIZE)
    rows = [
        {
            "event": event,
            "type": EVENT_LABELS.get(event.type, event.type),
            "person": (event.data or {}).get("person", {}).get("name", ""),
            "state": _STATES.get(event.state, "pending"),
            "state_label": _state_label(event.state),
            "tries": tries(event),
            "answer": answer_text(event),
            "next_at": event.due_at if event.state in (rules.RECORD_PENDING, rules.RECORD_SENDING) else None,
            "resendable": event.state in (rules.RECORD_SENT, rules.RECORD_FAILED),
        }
        for event in events
    ]
    return render_page(
        request,
        "admin/backoffice/webhook_events.html",
        {
            "title": _("Webhook deliveries of %(company)s") % {"company": company.name},
            "company": company,
            "endpoint": endpoint,
            "rows": rows,
            "count_text": ngettext("%(count)s event on this page", "%(count)s events on this page", len(rows))
            % {"count": len(rows)},
            "next_cursor": next_cursor,
        },
    )


@require_POST
@requires(permissions.MANAGE_COMPANIES)
def webhook_event_resend(request, company_id: str):
    """Send an event of the delivery log again (a delivered or failed one); a second click sends nothing more."""
    company = company_or_404(company_id)
    sk = request.POST.get("event", "")
    try:
        resent = services.webhook_event_resend(company_id=company.id, sk=sk, author=Author.from_user(request.user))
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        if resent:
            messages.success(request, _("The event will be sent again within a few seconds, with the same id."))
        else:
            messages.info(request, _("The event is already waiting to be sent; nothing more was done."))
    return HttpResponseRedirect(reverse("admin:webhook_events", args=[company.id]))


def company_panel(request, *, company) -> Panel | None:
    """The company page's "Webhooks" box, for those who manage companies."""
    if not request.user.has_perm(permissions.MANAGE_COMPANIES):
        return None
    return Panel(
        template="admin/backoffice/includes/company_webhook.html",
        context={"endpoint": selectors.endpoint_find(company.id)},
    )
