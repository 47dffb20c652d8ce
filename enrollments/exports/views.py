"""Pages of exports: the enrollment list's export, a report's export (``export_response``), and the download of a
background export's file (its page and progress JSON are every job kind's: ``jobs.views``)."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .. import clock, labels, permissions
from .. import selectors as core_selectors
from ..exceptions import ExportAlreadyStarted, ExportNotFound
from ..forms import EnrollmentFilterForm
from ..jobs.states import waiting_for_queue
from ..jobs.tasks import enqueue_for
from ..services import Author
from ..views.common import render_page, requires
from . import files as exports
from . import selectors, services
from .forms import ExportStartForm
from .kind import EXPORT


def _format_or_404(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        raise Http404(_("Exports are CSV or xlsx files."))
    return fmt


@requires(permissions.VIEW)
def enrollment_export(request, fmt: str):
    """Export the enrollment list with the filters of its page as CSV or xlsx."""
    fmt = _format_or_404(fmt)
    form = EnrollmentFilterForm(
        request.GET, companies=core_selectors.company_list(), courses=core_selectors.course_list()
    )
    back = reverse("admin:enrollment_list") + "?" + request.GET.urlencode()
    if not form.is_valid():
        messages.error(request, _("The list's filters are not valid: correct them, then export."))
        return HttpResponseRedirect(back)
    return export_response(request, exports.ENROLLMENTS, form.selector_filters(), fmt, back_url=back)


def export_response(request, source: str, params: dict, fmt: str, *, back_url: str):
    """Stream a small export from the request; offer a bigger one as a background job, started by a POST once."""
    fmt = _format_or_404(fmt)
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
                    enqueue=enqueue_for(EXPORT),
                )
            except ExportAlreadyStarted:
                pass
            else:
                if waiting_for_queue(job):
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
        return selectors.export_job_get(str(job_id))
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
