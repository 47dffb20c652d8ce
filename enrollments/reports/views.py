"""Pages of the Reports section: a company's compliance report, the people of each count, exports and their jobs."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import clock, labels, permissions, rules, selectors
from ..forms import EnrollmentFilterForm
from ..services import Author
from ..views.common import company_or_404, course_or_404, render_page, requires
from . import exports, services
from . import selectors as reports
from .forms import CompanyPickForm, ExportStartForm
from .selectors import ExportNotFound
from .tasks import enqueue_export

PEOPLE_PAGE_SIZE = 100


def _bucket_or_404(bucket: str) -> str:
    if bucket not in rules.BUCKETS:
        raise Http404(_("No count of the report is called %(name)s.") % {"name": bucket})
    return bucket


def _format_or_404(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        raise Http404(_("Exports are CSV or xlsx files."))
    return fmt


def _report_context(company) -> dict:
    now = clock.now()
    rows = reports.compliance_counts(tenant_id=company.sk, now=now)
    return {
        "company": company,
        "now": clock.to_iso(now),
        "buckets": [(bucket, labels.BUCKETS_SHORT[bucket], labels.BUCKETS[bucket]) for bucket in rules.BUCKETS],
        "rows": [
            {
                "course": row.course,
                "total": row.total,
                "cells": [(bucket, row.counts[bucket]) for bucket in rules.BUCKETS],
            }
            for row in rows
        ],
    }


@requires(permissions.VIEW)
def compliance_index(request):
    """Pick a company and show its compliance report."""
    form = CompanyPickForm(request.GET or None, companies=selectors.company_list())
    context = {"title": _("Compliance reports"), "form": form}
    if form.is_valid():
        context.update(_report_context(company_or_404(form.cleaned_data["company"])))
    return render_page(request, "admin/backoffice/compliance_report.html", context)


@requires(permissions.VIEW)
def compliance_report(request, company_id: str):
    """Show a company's compliance report: per course, its people in each bucket."""
    company = company_or_404(company_id)
    context = {"title": _("Compliance of %(company)s") % {"company": company.name}, **_report_context(company)}
    return render_page(request, "admin/backoffice/compliance_report.html", context)


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@requires(permissions.VIEW)
def compliance_people(request, company_id: str, course_id: str, bucket: str):
    """List the people of one count of the report, a page at a time, with their certificate reminder if expiring."""
    company, course, bucket = company_or_404(company_id), course_or_404(course_id), _bucket_or_404(bucket)
    number = _page_number(request)
    people = reports.bucket_people(tenant_id=company.sk, course_id=course.sk, bucket=bucket, now=clock.now())
    # A person's place needs their enrollments read newest first from the start: page N reads the pages before it.
    start, shown, has_next = (number - 1) * PEOPLE_PAGE_SIZE, [], False
    for position, enrollment in enumerate(people):
        if position >= start + PEOPLE_PAGE_SIZE:
            has_next = True
            break
        if position >= start:
            shown.append(enrollment)
    expiring = bucket in rules.EXPIRING_BUCKETS
    rows = list(reports.with_reminders(shown)) if expiring else [(enrollment, None) for enrollment in shown]
    context = {
        "title": _("%(situation)s: %(course)s at %(company)s")
        % {"situation": labels.BUCKETS[bucket], "course": course.name, "company": company.name},
        "company": company,
        "course": course,
        "bucket": bucket,
        "rows": rows,
        "show_reminders": expiring,
        "page_number": number,
        "previous_url": f"?page={number - 1}" if number > 1 else None,
        "next_url": f"?page={number + 1}" if has_next else None,
        "exports": [
            (fmt.upper(), reverse("admin:compliance_export", args=[company.sk, course.sk, bucket, fmt]))
            for fmt in exports.FORMATS
        ],
    }
    return render_page(request, "admin/backoffice/compliance_people.html", context)


@requires(permissions.VIEW)
def compliance_export(request, company_id: str, course_id: str, bucket: str, fmt: str):
    """Export the people of one count of the report as CSV or xlsx."""
    company, course, bucket = company_or_404(company_id), course_or_404(course_id), _bucket_or_404(bucket)
    params = {"tenant_id": company.sk, "course_id": course.sk, "bucket": bucket}
    back = reverse("admin:compliance_people", args=[company.sk, course.sk, bucket])
    return _export(request, exports.REPORT, params, _format_or_404(fmt), back_url=back)


@requires(permissions.VIEW)
def enrollment_export(request, fmt: str):
    """Export the enrollment list with the filters of its page as CSV or xlsx."""
    fmt = _format_or_404(fmt)
    form = EnrollmentFilterForm(request.GET, companies=selectors.company_list(), courses=selectors.course_list())
    back = reverse("admin:enrollment_list") + "?" + request.GET.urlencode()
    if not form.is_valid():
        messages.error(request, _("The list's filters are not valid: correct them, then export."))
        return HttpResponseRedirect(back)
    return _export(request, exports.ENROLLMENTS, form.selector_filters(), fmt, back_url=back)


def _export(request, source: str, params: dict, fmt: str, *, back_url: str):
    """Stream a small export from the request; offer a bigger one as a background job, started by a POST once."""
    limit = settings.EXPORT_STREAM_MAX_ROWS
    if request.method == "POST":
        form = ExportStartForm(request.POST)
        if form.is_valid():
            job_id = form.cleaned_data["token"]
            try:
                job = services.export_start(
                    job_id=job_id,
                    source=source,
                    params=params,
                    fmt=fmt,
                    total=0,
                    language=translation.get_language(),
                    author=Author.from_user(request.user),
                    enqueue=enqueue_export,
                )
            except services.ExportAlreadyStarted:
                pass
            else:
                if rules.job_waiting_for_queue(job):
                    messages.warning(request, labels.JOB_WAITING_FOR_QUEUE)
                else:
                    messages.success(request, _("The export started: the bar shows its progress."))
            return HttpResponseRedirect(reverse("admin:export_detail", args=[job_id]))
    else:
        form = ExportStartForm()
        now = clock.now()
        if exports.export_count(source, params, now=now, limit=limit + 1) <= limit:
            return _stream(source, params, fmt, now=now)
    context = {"title": _("Export in the background"), "form": form, "back_url": back_url, "limit": limit, "fmt": fmt}
    return render_page(request, "admin/backoffice/export_confirm.html", context)


def _stream(source: str, params: dict, fmt: str, *, now):
    header, rows = exports.export_rows(source, params, now=now)
    name = exports.file_name(source, params, fmt=fmt, now=now)
    if fmt == exports.CSV:
        response = StreamingHttpResponse(exports.csv_lines(header, rows), content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # A zip file is written whole before it is read: the workbook goes to a temporary file, which then streams.
    out = tempfile.TemporaryFile()
    exports.write_xlsx(header, rows, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=exports.CONTENT_TYPES[fmt])


def _job_or_404(job_id):
    try:
        return reports.export_job_get(str(job_id))
    except ExportNotFound as error:
        raise Http404(error.message) from None


@requires(permissions.VIEW)
def export_detail(request, job_id):
    """Show a background export's progress bar, kept live by polling, then its download link."""
    job = _job_or_404(job_id)
    state_labels = {
        reports.RUNNING: _("Running"),
        reports.DONE: _("Done"),
        reports.FAILED: _("Failed"),
        reports.EXPIRED: _("Deleted (older than the retention period)"),
    }
    context = {
        "title": _("Export"),
        "job": job,
        "progress": reports.export_progress(job.job_id),
        "state_label": state_labels[job.state],
        "state_labels": state_labels,
        "retention_hours": settings.EXPORT_RETENTION_HOURS,
        "waiting_text": labels.JOB_WAITING_FOR_QUEUE,
    }
    return render_page(request, "admin/backoffice/export_detail.html", context)


@requires(permissions.VIEW)
@require_GET
def export_progress_json(request, job_id):
    """Return the progress of a background export: the page's bar polls this."""
    try:
        return JsonResponse(reports.export_progress(str(job_id)))
    except ExportNotFound as error:
        raise Http404(error.message) from None


@requires(permissions.VIEW)
def export_download(request, job_id):
    """Send the file of a finished background export."""
    job = _job_or_404(job_id)
    try:
        handle = services.export_file(job)
    except ExportNotFound:
        raise Http404(_("This export has no file: it is not finished, or it was deleted.")) from None
    name = exports.file_name(job.source, job.params, fmt=job.format, now=clock.from_iso(job.created_at))
    return FileResponse(handle, as_attachment=True, filename=name, content_type=exports.CONTENT_TYPES[job.format])
