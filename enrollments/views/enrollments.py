"""Enrollment pages: list, detail (and its email previews), enroll, cancel, record completion."""

from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from .. import clock, labels, permissions, selectors
from ..exceptions import (
    ActiveEnrollmentExists,
    CpfBelongsToAnotherPerson,
    DeduplicationConflict,
    EnrollmentAlreadyExists,
    EnrollmentError,
    EnrollmentNotFound,
    InvalidCursor,
    InvalidTransition,
    NotCancelable,
    NoVacancyLeft,
)
from ..forms import CancelForm, CompletionForm, EnrollForm, EnrollmentFilterForm
from ..rules import (
    BULK_CANCEL_SOURCE,
    IMPORT_SOURCE,
    PREPAID,
    RECORD_PENDING,
    RENEWAL_SOURCE,
    Person,
    cancel_refusal,
    completion_refusal,
    is_certificate,
    is_uuid_id,
    renewal_enrollment_id,
    sends_email,
)
from ..services import Author, cancel, enroll, record_completion
from ..services.catalog import company_language
from ..services.emails import lifecycle_email_render
from .common import add_domain_error, email_html_part, render_page, requires


def _detail_url(enrollment_id: str) -> str:
    return reverse("admin:enrollment_detail", args=[enrollment_id])


def _partition_or_404(enrollment_id: str) -> selectors.EnrollmentPartition:
    try:
        return selectors.enrollment_partition(enrollment_id)
    except EnrollmentNotFound as error:
        raise Http404(error.message) from None


@requires(permissions.VIEW)
def enrollment_list(request):
    """Show enrollments newest first, filtered and a page at a time."""
    companies, courses = selectors.company_list(), selectors.course_list()
    form = EnrollmentFilterForm(request.GET, companies=companies, courses=courses)
    page = None
    if form.is_valid():
        filters = form.selector_filters()
        filters["page_size"] = selectors.ENROLLMENT_PAGE_SIZE
        try:
            page = selectors.enrollment_list(cursor=request.GET.get("cursor"), **filters)
        except InvalidCursor as error:
            messages.warning(request, error.message)
            page = selectors.enrollment_list(**filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    next_url = None
    if page is not None and page.next_cursor:
        query["cursor"] = page.next_cursor
        next_url = "?" + query.urlencode()
        query.pop("cursor")
    context = {
        "title": _("Enrollments"),
        "form": form,
        "page": page,
        "next_url": next_url,
        "first_url": ("?" + query.urlencode()) if request.GET.get("cursor") else None,
        "can_enroll": request.user.has_perm(permissions.ENROLL),
        "can_cancel": request.user.has_perm(permissions.CANCEL),
    }
    return render_page(request, "admin/backoffice/enrollment_list.html", context)


class SourceLink(NamedTuple):
    """Where an enrollment or an audit event came from, named for a person, and the page of the job (or ``None``)."""

    text: str
    url: str | None


_JOB_PAGES = {
    IMPORT_SOURCE: "admin:import_detail",
    BULK_CANCEL_SOURCE: "admin:bulk_cancel_detail",
    RENEWAL_SOURCE: "admin:renewal_detail",
}
_JOB_NAMES = {
    BULK_CANCEL_SOURCE: gettext_lazy("Bulk cancel"),
    RENEWAL_SOURCE: pgettext_lazy("a renewal job", "Renewal"),
}


def source_links(sources) -> dict[str, SourceLink]:
    """Return, by source, how the page names each source a job wrote (the ``source_link`` filter shows them): "Import
    of <file>" linking to the import, "Bulk cancel" linking to it. The stored ``csv:<job_id>`` never shows."""
    links = {}
    for source, job in selectors.source_jobs(sources).items():
        if job.kind == IMPORT_SOURCE:
            found = job.file_name is not None
            text = _("Import of %(file)s") % {"file": job.file_name} if found else _("Import")
        else:
            found, text = True, str(_JOB_NAMES[job.kind])
        url = reverse(_JOB_PAGES[job.kind], args=[job.job_id]) if found and is_uuid_id(job.job_id) else None
        links[source] = SourceLink(text, url)
    return links


@requires(permissions.VIEW)
def enrollment_detail(request, enrollment_id: str):
    """Show an enrollment with its seat, window, lifecycle records and their emails, and audit trail."""
    partition = _partition_or_404(enrollment_id)
    enrollment = partition.enrollment
    company = selectors.company_get(enrollment.tenant_id)
    order = selectors.order_find(partition.parent_vacancy.order_id) if partition.parent_vacancy else None
    user = request.user
    refusal = cancel_refusal(partition)
    schedules = sorted(partition.schedules, key=lambda record: record.due_at)
    language = company_language(company)
    context = {
        "title": _("Enrollment of %(name)s") % {"name": enrollment.user.name},
        "enrollment": enrollment,
        "renewed_by": _renewal_of(enrollment),
        "partition": partition,
        "company": company,
        "order": order,
        "order_name": labels.order_name(order),
        "schedules": schedules,
        # Each email as its learner gets it, rendered here: nothing is sent, no record is claimed.
        "email_previews": [
            (record, lifecycle_email_render(record=record, enrollment=enrollment, language=language))
            for record in schedules
            if sends_email(record.event)
        ],
        "audit": sorted(partition.audit, key=lambda event: event.sk),
        # An import or a bulk cancel by its name, linking to its page: one read of the imports named.
        "sources": source_links([enrollment.source, *(event.source for event in partition.audit)]),
        "cancel_refusal": refusal,
        "can_cancel": user.has_perm(permissions.CANCEL) and refusal is None,
        "can_complete": user.has_perm(permissions.RECORD_COMPLETION) and completion_refusal(enrollment) is None,
    }
    return render_page(request, "admin/backoffice/enrollment_detail.html", context)


def _renewal_of(enrollment):
    """Return the enrollment that renews this certificate, if any: its id is known, one GetItem (none for an
    enrollment without a certificate)."""
    if not is_certificate(enrollment):
        return None
    try:
        return selectors.enrollment_get(renewal_enrollment_id(enrollment.id))
    except EnrollmentNotFound:
        return None


@requires(permissions.VIEW)
@email_html_part
def enrollment_email_html(request, enrollment_id: str, event: str):
    """Return the HTML part of an enrollment's lifecycle email, for the preview frame of its page; send nothing."""
    partition = _partition_or_404(enrollment_id)
    record = next((record for record in partition.schedules if record.event == event), None)
    if record is None or not sends_email(record.event):
        raise Http404
    return lifecycle_email_render(record=record, enrollment=partition.enrollment).html


@requires(permissions.ENROLL)
def enrollment_add(request):
    """Enroll one person; domain errors show on the form, input kept."""
    companies, courses = selectors.company_list(), selectors.course_list()
    company_id = request.POST.get("company") or request.GET.get("company") or ""
    company = next((c for c in companies if c.id == company_id), None)
    seats = selectors.seats_left_by_course(tenant_id=company.id) if company and company.billing == PREPAID else None
    form = EnrollForm(
        request.POST or None, initial={"company": company_id}, companies=companies, courses=courses, seats=seats
    )
    conflict_url = order_url = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = enroll(
                tenant_id=data["company"],
                course_id=data["course"],
                user=Person(name=data["name"], email=data["email"], cpf=data["cpf"] or None),
                author=Author.from_user(request.user),
                deduplication_window_days=data["deduplication_window_days"],
                source="form",
                enrollment_id=data["enrollment_id"],
                enroll_again=data["enroll_again"],
                as_cpf_owner=data["as_cpf_owner"],
            )
        except EnrollmentAlreadyExists as error:
            # The same form sent twice: the first submit enrolled the person.
            messages.info(request, _("This form was already sent; here is the enrollment it made."))
            return HttpResponseRedirect(_detail_url(error.enrollment_id))
        except DeduplicationConflict as error:
            form.add_error(None, error.message)
            conflict_url = _detail_url(error.enrollment_id)
        except ActiveEnrollmentExists as error:
            form.add_error(None, error.message)
            form.ask("enroll_again")
            conflict_url = _detail_url(error.enrollment_id)
        except CpfBelongsToAnotherPerson as error:
            add_domain_error(form, error, fields=EnrollForm.SERVICE_FIELDS)
            form.ask(
                "as_cpf_owner",
                label=_("Enroll %(name)s (%(email)s)") % {"name": error.owner_name, "email": error.owner_email},
            )
        except NoVacancyLeft as error:
            form.add_error(None, error.message)
            if request.user.has_perm(permissions.CREATE_ORDER):
                order_url = reverse("admin:order_add") + f"?company={data['company']}&course={data['course']}"
        except EnrollmentError as error:
            add_domain_error(form, error, fields=EnrollForm.SERVICE_FIELDS)
        else:
            messages.success(
                request,
                _("%(name)s is enrolled in %(course)s.")
                % {"name": enrollment.user.name, "course": enrollment.course.name},
            )
            return HttpResponseRedirect(_detail_url(enrollment.id))
    context = {
        "title": _("Enroll a person"),
        "form": form,
        "company": company,
        "conflict_url": conflict_url,
        "order_url": order_url,
    }
    return render_page(request, "admin/backoffice/enrollment_form.html", context)


@requires(permissions.CANCEL)
def enrollment_cancel(request, enrollment_id: str):
    """Say what a cancel will do, ask for a reason, then cancel."""
    partition = _partition_or_404(enrollment_id)
    refusal = cancel_refusal(partition)
    if refusal:
        messages.error(request, refusal)
        return HttpResponseRedirect(_detail_url(enrollment_id))
    pending = [record for record in partition.schedules if record.state == RECORD_PENDING]
    order = selectors.order_find(partition.parent_vacancy.order_id) if partition.parent_vacancy else None
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel(
                enrollment_id=enrollment_id,
                reason=form.cleaned_data["reason"],
                author=Author.from_user(request.user),
                notify_learner=form.cleaned_data["notify_learner"],
            )
        except NotCancelable as error:
            # Someone canceled it, or the learner got in, between the page and the click.
            messages.error(request, error.message)
            return HttpResponseRedirect(_detail_url(enrollment_id))
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            done = [_("Enrollment canceled.")]
            if partition.parent_vacancy:
                done.append(_("Its seat went back to the %(order)s.") % {"order": labels.order_name(order)})
            done.append(
                ngettext("%(count)s pending email dropped.", "%(count)s pending emails dropped.", len(pending))
                % {"count": number_format(len(pending), force_grouping=True)}
            )
            if form.cleaned_data["notify_learner"]:
                done.append(_("The learner gets an email saying so."))
            messages.success(request, " ".join(done))
            return HttpResponseRedirect(_detail_url(enrollment_id))
    context = {
        "title": _("Cancel the enrollment of %(name)s") % {"name": partition.enrollment.user.name},
        "enrollment": partition.enrollment,
        "partition": partition,
        "pending": pending,
        "order_name": labels.order_name(order),
        "form": form,
    }
    return render_page(request, "admin/backoffice/enrollment_cancel.html", context)


def _end_of_day(day) -> datetime:
    """Return the last moment of ``day`` in the configured time zone: a certificate is valid through that day."""
    return timezone.make_aware(datetime.combine(day, time.max), timezone.get_default_timezone())


@requires(permissions.RECORD_COMPLETION)
def enrollment_complete(request, enrollment_id: str):
    """Record that the learner completed the course, with the certificate's expiry date."""
    partition = _partition_or_404(enrollment_id)
    enrollment = partition.enrollment
    refusal = completion_refusal(enrollment)
    if refusal:
        messages.error(request, refusal)
        return HttpResponseRedirect(_detail_url(enrollment_id))
    today = timezone.localtime(clock.now()).date()
    suggested = today + timedelta(days=int(enrollment.course.certificate_validity_days))
    form = CompletionForm(request.POST or None, today=today, initial={"certificate_expires_on": suggested})
    if request.method == "POST" and form.is_valid():
        try:
            record_completion(
                enrollment_id=enrollment_id,
                author=Author.from_user(request.user),
                certificate_expires_at=_end_of_day(form.cleaned_data["certificate_expires_on"]),
                source="staff",
            )
        except InvalidTransition as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(_detail_url(enrollment_id))
        except EnrollmentError as error:
            add_domain_error(form, error, fields={"certificate_expires_at": "certificate_expires_on"})
        else:
            messages.success(request, _("Completion recorded."))
            return HttpResponseRedirect(_detail_url(enrollment_id))
    context = {
        "title": _("Record the completion of %(name)s") % {"name": enrollment.user.name},
        "enrollment": enrollment,
        "form": form,
    }
    return render_page(request, "admin/backoffice/enrollment_complete.html", context)
