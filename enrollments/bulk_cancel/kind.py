"""The bulk cancel kind of background job: its items, keys, errors, chunk work, progress and page
(``jobs.kinds``)."""

from django.utils.translation import gettext as _

from ..dynamo import keys
from ..dynamo.models import ActiveBulkCancelItem, BulkCancelJobItem, BulkCancelResultItem
from ..exceptions import BulkCancelAlreadyStarted, BulkCancelNotFound
from ..jobs.kinds import JobKind, register
from ..jobs.states import MASCULINE_STATE_LABELS
from . import selectors
from .selectors import KIND_NAME
from .services import bulk_cancel_chunk_results


def _page_context(job, progress: dict) -> dict:
    # Each enrollment's result, once the job is done (the page loads again when it finishes), and the import it
    # undoes named by its file.
    return {
        "results": list(selectors.bulk_cancel_results(job.job_id)) if progress["finished"] else [],
        "import_file_name": selectors.import_file_name(job.import_id) if job.import_id else None,
    }


BULK_CANCEL = register(
    JobKind(
        name=KIND_NAME,
        model=BulkCancelJobItem,
        job_key=keys.bulk_cancel_job,
        not_found=BulkCancelNotFound,
        already_started=BulkCancelAlreadyStarted,
        progress=selectors.progress_numbers,
        chunk_key=keys.bulk_cancel_chunk,
        result_key=keys.bulk_cancel_result,
        result_model=BulkCancelResultItem,
        processed_attribute="done",
        chunk_results=bulk_cancel_chunk_results,
        active_model=ActiveBulkCancelItem,
        active_key=keys.active_bulk_cancel,
        template="admin/backoffice/bulk_cancel_detail.html",
        title=lambda job: _("Bulk cancel"),
        dom_id="bulk",
        url_name="bulk_cancel",
        state_labels=MASCULINE_STATE_LABELS,
        page_context=_page_context,
    )
)
