"""The import kind of background job: its items, keys, errors, chunk work, progress and page (``jobs.kinds``)."""

from django.utils.translation import gettext as _

from .. import labels
from ..dynamo import keys
from ..dynamo.models import ActiveImportItem, ImportJobItem, ImportResultItem
from ..exceptions import ImportAlreadyStarted, ImportJobNotFound
from ..jobs.kinds import JobKind, register
from . import downloads
from .chunks import import_chunk_results
from .outcomes import COUNTER_NAMES, ENROLLED, KIND_NAME
from .services import import_fail_stalled_preparation


def import_errors(job) -> int:
    """Return how many rows of ``job`` were not enrolled."""
    return sum(int(getattr(job, name) or 0) for name in COUNTER_NAMES if name != ENROLLED)


def waiting_for_queue_text() -> str:
    return _(
        "Its rows are stored, but the task queue does not answer right now: the import will start by itself "
        "within a minute of the queue coming back. Nothing needs to be done again."
    )


def _page_context(job, progress: dict) -> dict:
    counts = progress["counts"]
    return {
        "counts": [(name, labels.IMPORT_COUNTERS[name], counts[name]) for name in COUNTER_NAMES],
        "errors": import_errors(job),
        "time_left": downloads.duration(progress["seconds_left"]),
        "courses": sorted(name for name, *_rest in (job.courses or {}).values()),
    }


IMPORT = register(
    JobKind(
        name=KIND_NAME,
        model=ImportJobItem,
        job_key=keys.import_job,
        not_found=ImportJobNotFound,
        already_started=ImportAlreadyStarted,
        progress=downloads.progress_numbers,
        chunk_key=keys.import_chunk,
        result_key=keys.import_result,
        result_model=ImportResultItem,
        processed_attribute="rows_done",
        chunk_results=import_chunk_results,
        active_model=ActiveImportItem,
        active_key=keys.active_import,
        sweep_job=import_fail_stalled_preparation,
        template="admin/backoffice/import_detail.html",
        title=lambda job: _("Import of %(file)s") % {"file": job.file_name},
        dom_id="import",
        url_name="import",
        waiting_text=waiting_for_queue_text,
        page_context=_page_context,
    )
)
