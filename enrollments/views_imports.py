"""Small endpoints of imports that stand apart from the admin pages: progress as JSON, reports as CSV.

Staff who may see the back office (``view_backoffice``) may read them.
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from . import permissions
from .exceptions import ImportJobNotFound
from .imports import api
from .views.common import requires


@require_GET
@staff_member_required
@requires(permissions.VIEW)
def import_progress_json(request, job_id: str):
    """Return the progress of an import: the page's bar polls this."""
    try:
        return JsonResponse(api.import_progress(str(job_id)))
    except ImportJobNotFound as error:
        raise Http404(error.message)


@require_GET
@staff_member_required
@requires(permissions.VIEW)
def import_report_download(request, job_id: str):
    """Stream the per-row report CSV of an import."""
    return _csv_response(lambda: api.import_report_csv(str(job_id)), f"import-{job_id}-report.csv")


@require_GET
@staff_member_required
@requires(permissions.VIEW)
def import_failed_rows_download(request, job_id: str):
    """Stream the rows an import did not enroll, ready to fix and upload again."""
    return _csv_response(lambda: api.job_failed_rows_csv(str(job_id)), f"import-{job_id}-failed-rows.csv")


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    try:
        content = lines()
    except ImportJobNotFound as error:
        raise Http404(error.message)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
