"""The export kind of background job: its item, key, errors, work (the whole file, as chunk 0), progress and page
(``jobs.kinds``)."""

from django.conf import settings
from django.utils.translation import gettext as _

from ..dynamo import keys
from ..dynamo.models import ExportJobItem
from ..exceptions import ExportAlreadyStarted, ExportNotFound
from ..jobs.kinds import JobKind, register
from . import selectors, services
from .selectors import KIND_NAME


def _task_options() -> dict:
    # A big export may run long: its own time limit, soft a minute earlier so the task can end cleanly.
    return {"time_limit": settings.EXPORT_TASK_TIME_LIMIT, "soft_time_limit": settings.EXPORT_TASK_TIME_LIMIT - 60}


EXPORT = register(
    JobKind(
        name=KIND_NAME,
        model=ExportJobItem,
        job_key=keys.export_job,
        not_found=ExportNotFound,
        already_started=ExportAlreadyStarted,
        progress=selectors.progress_numbers,
        run=services.export_run,
        recent_ids=selectors.export_recent_ids,
        housekeeping=services.exports_expire,
        task_options=_task_options,
        template="admin/backoffice/export_detail.html",
        title=lambda job: _("Export"),
        dom_id="export",
        url_name="export",
        page_context=lambda job, progress: {"retention_hours": settings.EXPORT_RETENTION_HOURS},
    )
)
