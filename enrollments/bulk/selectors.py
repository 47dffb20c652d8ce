"""Reads of bulk cancels: a job, its chunks and results, the list of jobs, and the enrollments of an import."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from .. import selectors as core_selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveBulkCancelItem,
    BulkCancelJobItem,
    BulkCancelListingItem,
    BulkCancelResultItem,
    MainItem,
)
from ..exceptions import EnrollmentError
from ..imports.jobs import DONE as IMPORT_DONE
from ..imports.jobs import ENROLLED
from ..imports.reports import import_report_rows
from ..imports.selectors import import_job_get
from ..rules import job_waiting_for_queue

RUNNING = "RUNNING"
DONE = "DONE"
CANCELED = "canceled"
REFUSED = "refused"


class BulkCancelNotFound(EnrollmentError):
    """No bulk cancel has this id."""

    code = "bulk_cancel_not_found"

    def __init__(self, job_id: str):
        super().__init__(_("No bulk cancel has the id %(id)s.") % {"id": job_id})


def bulk_cancel_source(job_id: str) -> str:
    """Return the ``source`` a bulk cancel's job writes on the audit event of each enrollment it cancels."""
    return f"bulk_cancel:{job_id}"


@storage_errors_as_domain_errors
def canceled_by_job(enrollment_id: str, job_id: str) -> bool:
    """Return whether the bulk cancel ``job_id`` canceled this enrollment (its ``CANCELED`` audit event names the job)."""
    source = bulk_cancel_source(job_id)
    audit = core_selectors.enrollment_partition(enrollment_id).audit
    return any(event.action == "CANCELED" and event.source == source for event in audit)


@storage_errors_as_domain_errors
def bulk_cancel_get(job_id: str) -> BulkCancelJobItem:
    """Return the bulk cancel job, or raise ``BulkCancelNotFound``."""
    if job_id:
        try:
            return BulkCancelJobItem.get(*keys.bulk_cancel_job(job_id), consistent_read=True)
        except BulkCancelJobItem.DoesNotExist:
            pass
    raise BulkCancelNotFound(job_id)


@storage_errors_as_domain_errors
def bulk_cancel_chunk_state(job_id: str, number: int):
    """Return the job, the ids of chunk ``number`` and whether its results are written, in one request."""
    job_key, chunk_key, result_key = (
        keys.bulk_cancel_job(job_id),
        keys.bulk_cancel_chunk(job_id, number),
        keys.bulk_cancel_result(job_id, number),
    )
    found = {item.sk: item for item in MainItem.batch_get([job_key, chunk_key, result_key], consistent_read=True)}
    return found.get(job_key.sk), found.get(chunk_key.sk), result_key.sk in found


@storage_errors_as_domain_errors
def bulk_cancel_results(job_id: str) -> Iterator[list]:
    """Yield ``[enrollment id, result, message]`` of every enrollment recorded so far, in chunk order."""
    for item in BulkCancelResultItem.query(
        keys.bulk_cancel_partition(job_id), BulkCancelResultItem.sk.startswith(keys.RESULT_PREFIX), consistent_read=True
    ):
        yield from item.rows


@storage_errors_as_domain_errors
def bulk_cancel_chunks_done(job_id: str) -> set[int]:
    """Return the numbers of the chunks whose results are written."""
    results = BulkCancelResultItem.query(
        keys.bulk_cancel_partition(job_id),
        BulkCancelResultItem.sk.startswith(keys.RESULT_PREFIX),
        consistent_read=True,
        attributes_to_get=["id", "sk", "kind"],
    )
    return {keys.chunk_number(item.sk) for item in results}


@storage_errors_as_domain_errors
def active_bulk_cancel_ids() -> list[str]:
    """Return the ids of the bulk cancels still running."""
    return [item.sk for item in ActiveBulkCancelItem.query(keys.ACTIVE_BULK_CANCELS, consistent_read=True)]


@storage_errors_as_domain_errors
def bulk_cancel_list(*, limit: int) -> list[BulkCancelJobItem]:
    """Return the latest ``limit`` bulk cancels, newest first."""
    listing = BulkCancelListingItem.query(keys.BULK_CANCELS, scan_index_forward=False, limit=limit)
    job_ids = [item.job_id for item in listing]
    found = {item.job_id: item for item in BulkCancelJobItem.batch_get([keys.bulk_cancel_job(i) for i in job_ids])}
    return [found[job_id] for job_id in job_ids if job_id in found]


def import_enrollment_ids(import_id: str) -> list[str]:
    """Return the ids of the enrollments an import made (its rows enrolled), in file order.

    Rows "already enrolled" name an enrollment made before the import: undoing the import leaves them.
    Raise ``ImportJobNotFound``.
    """
    return [row[4] for row in import_report_rows(import_id) if row[3] == ENROLLED and row[4]]


def import_is_done(import_id: str) -> bool:
    """Return whether the import finished (raise ``ImportJobNotFound``)."""
    return import_job_get(import_id).state == IMPORT_DONE


def bulk_cancel_progress(job_id: str) -> dict:
    """Return the progress of a bulk cancel, as its page's bar shows it (raise ``BulkCancelNotFound``)."""
    job = bulk_cancel_get(job_id)
    return {
        "state": job.state,
        "processed": int(job.done),
        "total": int(job.total),
        "percent": int(job.done * 100 // job.total) if job.total else 100,
        "canceled": int(job.canceled),
        "refused": int(job.refused),
        "finished": job.state == DONE,
        # Stored, but the task queue has not taken its chunks yet (the sweep queues it once the queue answers).
        "waiting": job_waiting_for_queue(job),
    }
