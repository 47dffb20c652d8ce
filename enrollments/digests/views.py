"""Pages of the compliance digest: a company's HR contacts, the digest's preview, "send now", a failed digest sent
again, and the boxes it adds to the company's page and the failed emails' page."""

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import clock, labels, permissions
from ..clock import from_iso
from ..exceptions import AlreadyCreated, EnrollmentError, QueueUnavailable
from ..exports.files import CONTENT_TYPES, XLSX
from ..services import Author
from ..services.catalog import company_language
from ..views.catalog import FormPage, submit_form
from ..views.common import Panel, company_or_404, email_html_part, render_page, requires
from . import periods, selectors
from .contacts import contact_add, contact_remove, contact_update
from .emails import digest_render, period_in_words
from .forms import ContactEditForm, ContactForm, DigestSendForm
from .services import digest_failure_resend, digest_send_now
from .tasks import enqueue_digest

# The period a preview names when the company has none: a digest asked for now.
_PREVIEW_PERIOD = periods.adhoc_period("preview")


def _company_url(company_id: str) -> str:
    return reverse("admin:company_detail", args=[company_id]) + "#digest"


def _page(title: str, submit: str) -> FormPage:
    return FormPage(title=title, submit=submit, section=_("Companies"), section_url="admin:company_list")


def _contact_or_404(company_id: str, contact_id: str):
    contact = selectors.contact_find(company_id, contact_id)
    if contact is None:
        raise Http404(_("This HR contact does not exist (any more)."))
    return contact


@requires(permissions.MANAGE_COMPANIES)
def digest_contact_add(request, company_id: str):
    """Add an HR contact to a company; a form sent twice adds one."""
    company = company_or_404(company_id)

    def save(data):
        return contact_add(
            company_id=company.id,
            name=data["name"],
            email=data["email"],
            language=data["language"] or None,
            receives_digest=data["receives_digest"],
            author=Author.from_user(request.user),
            contact_id=data["token"],
        )

    def already_created(error, _data):
        messages.info(request, _("This form was already sent; the contact it added is in the list."))
        return HttpResponseRedirect(_company_url(company.id))

    return submit_form(
        request,
        ContactForm(request.POST or None),
        _page(_("Add an HR contact to %(company)s") % {"company": company.name}, _("Add contact")),
        save=save,
        saved=lambda contact: (
            _("%(name)s is an HR contact of %(company)s.") % {"name": contact.name, "company": company.name},
            _company_url(company.id),
        ),
        already_created=already_created,
        fields=ContactForm.SERVICE_FIELDS,
    )


@requires(permissions.MANAGE_COMPANIES)
def digest_contact_edit(request, company_id: str, contact_id):
    """Edit an HR contact; refused if someone changed it since the form was read."""
    company = company_or_404(company_id)
    contact = _contact_or_404(company.id, str(contact_id))
    initial = {
        "name": contact.name,
        "email": contact.email,
        "language": contact.language or "",
        "receives_digest": contact.receives_digest,
        "revision": int(contact.revision or 0),
    }

    def save(data):
        return contact_update(
            company_id=company.id,
            contact_id=contact.sk,
            name=data["name"],
            email=data["email"],
            language=data["language"] or None,
            receives_digest=data["receives_digest"],
            revision=data["revision"],
            author=Author.from_user(request.user),
        )

    return submit_form(
        request,
        ContactEditForm(request.POST or None, initial=initial),
        _page(_("Edit the HR contact %(name)s") % {"name": contact.name}, _("Save")),
        save=save,
        saved=lambda saved: (_("HR contact %(name)s saved.") % {"name": saved.name}, _company_url(company.id)),
        fields=ContactEditForm.SERVICE_FIELDS,
    )


@requires(permissions.MANAGE_COMPANIES)
@require_POST
def digest_contact_remove(request, company_id: str, contact_id):
    """Remove an HR contact; a second click finds it removed."""
    company = company_or_404(company_id)
    try:
        removed = contact_remove(
            company_id=company.id, contact_id=str(contact_id), author=Author.from_user(request.user)
        )
    except EnrollmentError as error:
        messages.error(request, error.message)
    else:
        if removed:
            messages.success(request, _("The HR contact was removed."))
        else:
            messages.info(request, _("This HR contact was already removed."))
    return HttpResponseRedirect(_company_url(company.id))


def _preview(company, language: str):
    now = clock.now()
    cadence = company.digest_period
    if cadence in periods.PERIODS:
        period = periods.period_of(cadence, now=now, tz=ZoneInfo(settings.TIME_ZONE)).id
    else:
        period = _PREVIEW_PERIOD
    summary = selectors.digest_summary(company, now=now)
    return digest_render(summary, period=period, language=language, created_at=now)


def _preview_language(request, company) -> str:
    language = request.GET.get("language", "")
    return language if language in dict(settings.LANGUAGES) else company_language(company)


@requires(permissions.VIEW)
def digest_preview(request, company_id: str):
    """Show the company's digest as its contacts would get it now, in one language: nothing is sent."""
    company = company_or_404(company_id)
    language = _preview_language(request, company)
    rendered = _preview(company, language)
    query = urlencode({"language": language})
    context = {
        "title": _("Preview of the compliance digest of %(company)s") % {"company": company.name},
        "company": company,
        "email": rendered,
        "language": language,
        "languages": [
            (code, f"?{urlencode({'language': code})}", code == language) for code, _name in settings.LANGUAGES
        ],
        "html_url": reverse("admin:digest_preview_html", args=[company.id]) + f"?{query}",
        "xlsx_url": reverse("admin:digest_preview_xlsx", args=[company.id]) + f"?{query}",
        "recipients": [
            (contact, contact.language or company_language(company))
            for contact in selectors.digest_recipients(company.id)
        ],
        "can_send": request.user.has_perm(permissions.MANAGE_COMPANIES),
        "send_form": DigestSendForm(),
    }
    return render_page(request, "admin/backoffice/digest_preview.html", context)


@requires(permissions.VIEW)
@email_html_part
def digest_preview_html(request, company_id: str):
    """Return the HTML part of the company's digest, for the preview frame (the email preview's policy)."""
    company = company_or_404(company_id)
    return _preview(company, _preview_language(request, company)).html


@requires(permissions.VIEW)
def digest_preview_xlsx(request, company_id: str):
    """Answer the spreadsheet the company's digest would carry now."""
    company = company_or_404(company_id)
    rendered = _preview(company, _preview_language(request, company))
    response = HttpResponse(rendered.attachment, content_type=CONTENT_TYPES[XLSX])
    response["Content-Disposition"] = f'attachment; filename="{rendered.attachment_name}"'
    return response


def _queued(request, company_id: str, period: str) -> None:
    try:
        enqueue_digest(company_id, period)
    except QueueUnavailable:
        messages.warning(request, labels.JOB_WAITING_FOR_QUEUE)


@requires(permissions.MANAGE_COMPANIES)
@require_POST
def digest_send(request, company_id: str):
    """Send the company's digest now to its contacts who receive it; a form sent twice sends it once."""
    company = company_or_404(company_id)
    form = DigestSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was damaged; reload the page."))
        return HttpResponseRedirect(_company_url(company.id))
    try:
        digest = digest_send_now(
            company_id=company.id, token=form.cleaned_data["token"], author=Author.from_user(request.user)
        )
    except AlreadyCreated:
        messages.info(request, _("This digest was already asked for: it goes out once."))
        return HttpResponseRedirect(_company_url(company.id))
    except EnrollmentError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(_company_url(company.id))
    count = len(selectors.digest_recipients(company.id))
    messages.success(
        request,
        ngettext(
            "The compliance digest goes out to %(count)s contact in a moment.",
            "The compliance digest goes out to %(count)s contacts in a moment.",
            count,
        )
        % {"count": count},
    )
    _queued(request, company.id, digest.period)
    return HttpResponseRedirect(_company_url(company.id))


@requires(permissions.MANAGE_COMPANIES)
@require_POST
def digest_failure_resend_view(request):
    """Send a failed digest again, to the contacts it has not reached; a second click finds it sent again."""
    company_id = request.POST.get("company", "")
    back = reverse("admin:failure_list") + (f"?{urlencode({'company': company_id})}" if company_id else "")
    try:
        digest = digest_failure_resend(
            failure_sk=request.POST.get("failure", ""), author=Author.from_user(request.user)
        )
    except EnrollmentError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(back)
    if digest is None:
        messages.info(request, _("This digest was already sent again; it is no longer in the list."))
    else:
        messages.success(request, _("The compliance digest goes back to the scheduler and is sent again in a moment."))
        _queued(request, digest.company_id, digest.period)
    return HttpResponseRedirect(back)


# The boxes of other pages -----------------------------------------------------------------------------------------


def _period_text(item) -> str:
    """Say the period of a digest (or of its failure) in the active language: a digest asked for names its day."""
    return period_in_words(item.period, created_at=from_iso(item.created_at))


def company_panel(request, *, company) -> Panel:
    """The company page's "Compliance digest" box: its period, HR contacts, latest digests, preview and send now."""
    contacts = selectors.contact_list(company.id)
    return Panel(
        template="admin/backoffice/includes/company_digest.html",
        context={
            "contacts": [(contact, contact.language or company_language(company)) for contact in contacts],
            "receiving": sum(contact.receives_digest for contact in contacts),
            "digests": [(digest, _period_text(digest)) for digest in selectors.digest_list(company.id)],
            "can_manage": request.user.has_perm(permissions.MANAGE_COMPANIES),
            "send_form": DigestSendForm(),
        },
    )


def failures_panel(request, *, company_id: str | None, company_names: dict) -> Panel:
    """The failed emails page's list of compliance digests that gave up, of one company or of all."""
    failures = selectors.digest_failure_list(company_id=company_id)
    return Panel(
        template="admin/backoffice/includes/digest_failures.html",
        context={
            "rows": [
                (failure, company_names.get(failure.company_id, failure.company_id), _period_text(failure))
                for failure in failures
            ],
            "company_id": company_id or "",
            "can_resend": request.user.has_perm(permissions.MANAGE_COMPANIES),
        },
    )
