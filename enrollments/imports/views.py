"""Pages of imports: the job list, the upload form and its preview, the confirmation, and the report CSVs and
import template those pages link to (a job's page and progress JSON are every kind's: ``jobs.views``).

Between the preview and the confirmation the upload waits in ``IMPORT_UPLOAD_DIR``
under a token; the choices made with it (company, default course, window, welcome emails) stay in
the session under that token, so a confirmation cannot swap them, and a second
confirmation of the same upload finds the job the first one started.
"""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_POST

from .. import permissions
from .. import selectors as core_selectors
from ..exceptions import (
    ImportAlreadyStarted,
    ImportFileRefused,
    ImportJobNotFound,
    InvalidEnrollmentData,
    SameFileImported,
)
from ..jobs.tasks import enqueue_for
from ..services import Author
from ..views.common import add_domain_error, render_page, requires
from . import downloads, selectors, services
from .forms import ImportForm
from .kind import IMPORT, import_errors, waiting_for_queue_text
from .preview import ImportPreview, failed_rows_csv, import_preview
from .uploads import open_stashed_upload, stash_upload

# Rows with errors listed on the preview page; the failed-rows CSV has them all.
PREVIEW_ROWS_SHOWN = 200
JOBS_LISTED = 50
_SESSION_KEY = "import_uploads"
# Uploads a session remembers; older ones must be uploaded again.
_UPLOADS_KEPT = 10


def _pending(request, token: str) -> dict | None:
    return request.session.get(_SESSION_KEY, {}).get(token)


def _remember(request, token: str, upload: dict) -> None:
    uploads = dict(request.session.get(_SESSION_KEY, {}))
    uploads.pop(token, None)
    uploads[token] = upload
    while len(uploads) > _UPLOADS_KEPT:
        uploads.pop(next(iter(uploads)))
    request.session[_SESSION_KEY] = uploads


def _preview_of(pending: dict, token: str) -> ImportPreview:
    """Preview a stashed upload again with the choices it was uploaded with."""
    with open_stashed_upload(token) as file:
        return import_preview(
            file=file,
            file_name=pending["file_name"],
            tenant_id=pending["tenant_id"],
            default_course_id=pending["default_course_id"],
            window_days=pending["window_days"],
            enroll_again=pending.get("enroll_again", False),
            sheet=pending.get("sheet"),
        )


@requires(permissions.VIEW)
def import_list(request):
    """Show the recent imports, newest first."""
    jobs = selectors.import_job_list(limit=JOBS_LISTED)
    context = {
        "title": _("Imports"),
        "jobs": [{"job": job, "errors": import_errors(job)} for job in jobs],
        "can_add": request.user.has_perm(permissions.ENROLL),
    }
    return render_page(request, "admin/backoffice/import_list.html", context)


@requires(permissions.ENROLL)
def import_add(request):
    """Take a file and the company's choices, and show the preview; a refused file gets its message on the form."""
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        companies=core_selectors.company_list(),
        courses=core_selectors.course_list(),
    )
    if request.method == "POST" and form.is_valid():
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        pending = {
            "tenant_id": data["company"],
            "default_course_id": data["course"] or None,
            "window_days": data["window_days"],
            "welcome": data["welcome"],
            "enroll_again": data["enroll_again"],
            "file_name": upload.name,
            "sheet": data["sheet"].strip() or None,
        }
        try:
            # Read first, stash after: a refused file leaves nothing behind.
            preview = import_preview(
                file=upload.file,
                file_name=upload.name,
                tenant_id=pending["tenant_id"],
                default_course_id=pending["default_course_id"],
                window_days=pending["window_days"],
                enroll_again=pending["enroll_again"],
                sheet=pending["sheet"],
            )
        except ImportFileRefused as error:
            form.add_error("file", error.message)
        except InvalidEnrollmentData as error:
            add_domain_error(form, error, fields=ImportForm.SERVICE_FIELDS)
        else:
            token = stash_upload(upload.file)
            _remember(request, token, pending)
            return _preview_page(request, preview, token, welcome=pending["welcome"])
    return render_page(
        request, "admin/backoffice/import_form.html", {"title": _("Import a CSV or Excel file"), "form": form}
    )


def _welcome(pending: dict) -> bool:
    # Uploads stashed before the choice existed send welcomes, as the form's default does.
    return pending.get("welcome", True)


def _preview_page(request, preview: ImportPreview, token: str, *, welcome: bool, error: str | None = None):
    courses = {course.id: course.name for course in core_selectors.course_list()}
    context = {
        "title": _("Preview of %(file)s") % {"file": preview.file.name or _("the upload")},
        "preview": preview,
        "token": token,
        "prepaid": preview.billing == "prepaid",
        "default_course": courses.get(preview.default_course_id or "", preview.default_course_id),
        "problem_rows": preview.problem_rows[:PREVIEW_ROWS_SHOWN],
        "more_problem_rows": max(0, len(preview.problem_rows) - PREVIEW_ROWS_SHOWN),
        "failed_rows_url": reverse("admin:import_preview_failed_rows", args=[token]),
        "welcome": welcome,
        "error": error,
    }
    return render_page(request, "admin/backoffice/import_preview.html", context)


@requires(permissions.ENROLL)
@require_GET
def import_preview_failed_rows(request, token: str):
    """Download the rows of a previewed upload that will not be enrolled, ready to fix and upload again."""
    pending = _pending(request, token)
    if pending is None:
        raise Http404(_("This upload is no longer here; upload the file again."))
    try:
        preview = _preview_of(pending, token)
    except (ImportFileRefused, InvalidEnrollmentData) as error:
        raise Http404(error.message) from None
    stem = (pending["file_name"] or "upload").rsplit(".", 1)[0]
    suffix = pgettext("file name", "failed-rows")
    return _csv_response(failed_rows_csv(preview), f"{_safe_name(stem)}-{suffix}.csv")


@requires(permissions.VIEW)
@require_GET
def import_template_download(request):
    """Download a CSV file to fill for an import: the columns an upload reads, in the staff member's language,
    and one example row."""
    # Translators: the name of the downloaded import template, without ".csv": ASCII letters, digits and dashes.
    name = pgettext("file name", "import-template")
    return _csv_response(downloads.import_template_csv(), f"{_safe_name(name)}.csv")


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in text)[:80] or "upload"


@requires(permissions.ENROLL)
@require_POST
def import_confirm(request):
    """Start the import of a previewed upload; the same file again needs the "import it again" box ticked."""
    token = request.POST.get("token", "")
    pending = _pending(request, token)
    if pending is None:
        messages.error(request, _("This upload is no longer here; upload the file again."))
        return HttpResponseRedirect(reverse("admin:import_add"))
    try:
        with open_stashed_upload(token) as file:
            job = services.import_start(
                file=file,
                file_name=pending["file_name"],
                tenant_id=pending["tenant_id"],
                author=Author.from_user(request.user),
                enqueue=enqueue_for(IMPORT),
                default_course_id=pending["default_course_id"],
                window_days=pending["window_days"],
                allow_same_file=request.POST.get("again") == "1",
                welcome=_welcome(pending),
                enroll_again=pending.get("enroll_again", False),
                sheet=pending.get("sheet"),
                # The upload's token names the job: a second confirmation finds the job the first one made.
                job_id=str(uuid.UUID(token)),
            )
    except ImportAlreadyStarted as error:
        messages.info(request, error.message)
        return HttpResponseRedirect(reverse("admin:import_detail", args=[error.job_id]))
    except SameFileImported as error:
        return _preview_page(
            request, _preview_of(pending, token), token, welcome=_welcome(pending), error=error.message
        )
    except (ImportFileRefused, InvalidEnrollmentData) as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("admin:import_add"))
    rows = int(job.rows_total)
    messages.success(
        request,
        ngettext("Import of %(file)s started: %(rows)s row.", "Import of %(file)s started: %(rows)s rows.", rows)
        % {"file": job.file_name, "rows": number_format(rows, force_grouping=True)},
    )
    if not job.queued_at:
        messages.warning(request, waiting_for_queue_text())
    return HttpResponseRedirect(reverse("admin:import_detail", args=[job.job_id]))


@requires(permissions.VIEW)
@require_GET
def import_report_download(request, job_id):
    """Stream the per-row report CSV of an import."""
    return _job_csv(downloads.import_report_csv, job_id, pgettext("file name", "report"))


@requires(permissions.VIEW)
@require_GET
def import_failed_rows_download(request, job_id):
    """Stream the rows an import did not enroll, ready to fix and upload again."""
    return _job_csv(downloads.job_failed_rows_csv, job_id, pgettext("file name", "failed-rows"))


def _job_csv(lines, job_id, name: str) -> StreamingHttpResponse:
    try:
        content = lines(str(job_id))
    except ImportJobNotFound as error:
        raise Http404(error.message) from None
    prefix = pgettext("file name", "import")
    return _csv_response(content, f"{prefix}-{job_id}-{name}.csv")


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
