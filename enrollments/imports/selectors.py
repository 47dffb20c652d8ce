"""Reads of import jobs: the job, its chunks of rows and their results, the job list, the last import of a file.
No Scan."""

from collections.abc import Iterator

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ImportChunkItem, ImportFileItem, ImportJobItem, ImportListingItem, ImportResultItem
from ..exceptions import ImportJobNotFound
from ..jobs.kinds import kind_named
from ..jobs.selectors import job_get, job_results
from .outcomes import KIND_NAME


def import_job_get(job_id: str) -> ImportJobItem:
    """Return the import job, or raise ``ImportJobNotFound``."""
    return job_get(kind_named(KIND_NAME), job_id)


def import_results(job_id: str) -> Iterator[ImportResultItem]:
    """Yield the result items of a job in chunk order."""
    return job_results(kind_named(KIND_NAME), job_id)


@storage_errors_as_domain_errors
def import_chunks(job_id: str) -> Iterator[ImportChunkItem]:
    """Yield the chunks of parsed rows of a job in order."""
    yield from ImportChunkItem.query(
        keys.import_partition(job_id), ImportChunkItem.sk.startswith(keys.CHUNK_PREFIX), consistent_read=True
    )


@storage_errors_as_domain_errors
def import_job_list(*, limit: int = 50, tenant_id: str | None = None) -> list[ImportJobItem]:
    """Return the most recent imports, newest first (of one company with ``tenant_id``)."""
    condition = ImportListingItem.tenant_id == tenant_id if tenant_id else None
    listing = []
    for item in ImportListingItem.query(
        keys.IMPORTS, scan_index_forward=False, filter_condition=condition, page_size=limit
    ):
        listing.append(item)
        if len(listing) >= limit:
            break
    jobs = {job.job_id: job for job in ImportJobItem.batch_get([keys.import_job(item.job_id) for item in listing])}
    return [jobs[item.job_id] for item in listing if item.job_id in jobs]


@storage_errors_as_domain_errors
def import_for_file(*, tenant_id: str, file_hash: str) -> ImportJobItem | None:
    """Return the last import of the file with this sha256 for the company, if any."""
    try:
        marker = ImportFileItem.get(*keys.import_file(tenant_id, file_hash), consistent_read=True)
    except ImportFileItem.DoesNotExist:
        return None
    try:
        return import_job_get(marker.job_id)
    except ImportJobNotFound:
        return None
