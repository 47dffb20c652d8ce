"""Reads of bulk cancels: a job, its chunks and results, the list of jobs, and the enrollments of an import."""

from collections.abc import Iterator
from dataclasses import dataclass

from .. import selectors as core_selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import BulkCancelJobItem, BulkCancelListingItem, BulkCancelResultItem
from ..imports.downloads import import_report_rows
from ..imports.outcomes import ENROLLED
from ..imports.selectors import import_job_get
from ..jobs.kinds import kind_named
from ..jobs.selectors import job_get, job_progress, rows_progress
from ..jobs.states import DONE
from ..rules import BULK_CANCEL_SOURCE, job_source

# The bulk cancel kind's name in task messages and URLs (``kind.BULK_CANCEL``): never change it.
KIND_NAME = "bulk_cancel"
CANCELED = "canceled"
REFUSED = "refused"


def bulk_cancel_source(job_id: str) -> str:
    """Return the ``source`` a bulk cancel's job writes on the audit event of each enrollment it cancels."""
    return job_source(BULK_CANCEL_SOURCE, job_id)


@storage_errors_as_domain_errors
def canceled_by_job(enrollment_id: str, job_id: str) -> bool:
    """Return whether the bulk cancel ``job_id`` canceled this enrollment (its ``CANCELED`` audit event names the job)."""
    source = bulk_cancel_source(job_id)
    audit = core_selectors.enrollment_partition(enrollment_id).audit
    return any(event.action == "CANCELED" and event.source == source for event in audit)


@dataclass(frozen=True)
class BulkCancelResult:
    """What became of one enrollment of a bulk cancel, with its person and course as they were then.

    Results stored before names were (``[enrollment id, result, message]``) have no ``name``: pages show the id.
    """

    enrollment_id: str
    result: str
    message: str
    name: str | None = None
    email: str | None = None
    cpf: str | None = None
    course: str | None = None

    @classmethod
    def of_row(cls, row: list) -> "BulkCancelResult":
        """Return the result a stored row says (``services.result_row``'s, or an earlier version's)."""
        enrollment_id, result, message, *rest = row
        person = rest[0] if rest and isinstance(rest[0], dict) else {}
        return cls(
            enrollment_id=enrollment_id,
            result=result,
            message=message,
            name=person.get("name"),
            email=person.get("email"),
            cpf=person.get("cpf"),
            course=person.get("course"),
        )

    @property
    def canceled(self) -> bool:
        return self.result == CANCELED


@storage_errors_as_domain_errors
def bulk_cancel_results(job_id: str) -> Iterator[BulkCancelResult]:
    """Yield the result of every enrollment recorded so far, in chunk order."""
    for item in BulkCancelResultItem.query(
        keys.bulk_cancel_partition(job_id), BulkCancelResultItem.sk.startswith(keys.RESULT_PREFIX), consistent_read=True
    ):
        for row in item.rows:
            yield BulkCancelResult.of_row(row)


@storage_errors_as_domain_errors
def bulk_cancel_list(*, limit: int) -> list[BulkCancelJobItem]:
    """Return the latest ``limit`` bulk cancels, newest first."""
    listing = BulkCancelListingItem.query(keys.BULK_CANCELS, scan_index_forward=False, limit=limit)
    job_ids = [item.job_id for item in listing]
    found = {item.job_id: item for item in BulkCancelJobItem.batch_get([keys.bulk_cancel_job(i) for i in job_ids])}
    return [found[job_id] for job_id in job_ids if job_id in found]


def enrollments_listed(enrollment_ids: list[str], *, limit: int) -> list:
    """Return the enrollments of the first ``limit`` ids that exist, in their order: who a confirmation names."""
    shown = enrollment_ids[:limit]
    found = core_selectors.enrollments_by_id(shown)
    return [found[enrollment_id] for enrollment_id in shown if enrollment_id in found]


def import_enrollment_ids(import_id: str) -> list[str]:
    """Return the ids of the enrollments an import made (its rows enrolled), in file order.

    Rows "already enrolled" name an enrollment made before the import: undoing the import leaves them.
    Raise ``ImportJobNotFound``.
    """
    return [row[4] for row in import_report_rows(import_id) if row[3] == ENROLLED and row[4]]


def import_file_name(import_id: str) -> str | None:
    """Return the name of the file an import read, or ``None`` when no import has this id."""
    return core_selectors.import_file_names([import_id]).get(import_id)


def import_is_done(import_id: str) -> bool:
    """Return whether the import finished (raise ``ImportJobNotFound``)."""
    return import_job_get(import_id).state == DONE


def bulk_cancel_get(job_id: str) -> BulkCancelJobItem:
    """Return the bulk cancel job, or raise ``BulkCancelNotFound``."""
    return job_get(kind_named(KIND_NAME), job_id)


def progress_numbers(job: BulkCancelJobItem) -> dict:
    """Return a bulk cancel's part of its progress (the bulk cancel kind's ``progress``)."""
    return {
        **rows_progress(job, done=job.done, total=job.total),
        "canceled": int(job.canceled),
        "refused": int(job.refused),
    }


def bulk_cancel_progress(job_id: str) -> dict:
    """Return the progress of a bulk cancel, as its page's bar shows it (raise ``BulkCancelNotFound``)."""
    kind = kind_named(KIND_NAME)
    return job_progress(kind, job_get(kind, job_id))
