"""Reads of import jobs: the job, its chunks of rows and their results, the job list. No Scan."""

from collections.abc import Iterator

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveImportItem,
    ImportChunkItem,
    ImportFileItem,
    ImportJobItem,
    ImportListingItem,
    ImportResultItem,
    MainItem,
)
from ..exceptions import ImportJobNotFound


@storage_errors_as_domain_errors
def import_job_get(job_id: str) -> ImportJobItem:
    """Return the import job, or raise ``ImportJobNotFound``."""
    if job_id:
        try:
            return ImportJobItem.get(*keys.import_job(job_id), consistent_read=True)
        except ImportJobItem.DoesNotExist:
            pass
    raise ImportJobNotFound(job_id)


@storage_errors_as_domain_errors
def import_chunk_state(job_id: str, number: int) -> tuple[ImportJobItem | None, ImportChunkItem | None, bool]:
    """Return the job, the rows of chunk ``number`` and whether its results are written, in one request."""
    job_key, chunk_key, result_key = (
        keys.import_job(job_id),
        keys.import_chunk(job_id, number),
        keys.import_result(job_id, number),
    )
    found = {item.sk: item for item in MainItem.batch_get([job_key, chunk_key, result_key], consistent_read=True)}
    return found.get(job_key.sk), found.get(chunk_key.sk), result_key.sk in found


@storage_errors_as_domain_errors
def import_chunks_done(job_id: str) -> set[int]:
    """Return the numbers of the chunks whose results are written."""
    results = ImportResultItem.query(
        keys.import_partition(job_id),
        ImportResultItem.sk.startswith(keys.RESULT_PREFIX),
        consistent_read=True,
        attributes_to_get=["id", "sk", "kind"],
    )
    return {keys.chunk_number(item.sk) for item in results}


@storage_errors_as_domain_errors
def import_results(job_id: str) -> Iterator[ImportResultItem]:
    """Yield the result items of a job in chunk order."""
    yield from ImportResultItem.query(
        keys.import_partition(job_id), ImportResultItem.sk.startswith(keys.RESULT_PREFIX), consistent_read=True
    )


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


@storage_errors_as_domain_errors
def active_import_ids() -> list[str]:
    """Return the ids of the imports still running (or being prepared)."""
    return [item.sk for item in ActiveImportItem.query(keys.ACTIVE_IMPORTS, consistent_read=True)]
