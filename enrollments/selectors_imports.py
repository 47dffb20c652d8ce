"""Reads of CSV imports, and the batched reads a preview and a chunk of rows need. No Scan."""

from collections.abc import Iterable, Iterator

from .dynamo.models import (
    ActiveImportItem,
    ImportChunkItem,
    ImportFileItem,
    ImportJobItem,
    ImportListingItem,
    ImportResultItem,
    LockItem,
    MainItem,
    UserItem,
    VacancyItem,
)
from .exceptions import ImportJobNotFound
from .selectors import user_pk, vacancies_pk

IMPORTS_PK = "imports"
ACTIVE_IMPORTS_PK = "imports#active"
JOB_SK = "0"


def import_pk(job_id: str) -> str:
    return f"import#{job_id}"


def chunk_sk(number: int) -> str:
    return f"chunk#{number:06d}"


def result_sk(number: int) -> str:
    return f"result#{number:06d}"


def import_files_pk(tenant_id: str) -> str:
    return f"import_files#{tenant_id}"


def get_import_job(job_id: str) -> ImportJobItem:
    """Return the import job, or raise ``ImportJobNotFound``."""
    if job_id:
        try:
            return ImportJobItem.get(import_pk(job_id), JOB_SK, consistent_read=True)
        except ImportJobItem.DoesNotExist:
            pass
    raise ImportJobNotFound(job_id)


def import_chunk_state(job_id: str, number: int) -> tuple[ImportJobItem | None, ImportChunkItem | None, bool]:
    """Return the job, the rows of chunk ``number`` and whether its results are written, in one request."""
    pk = import_pk(job_id)
    found = {item.sk: item for item in MainItem.batch_get([(pk, JOB_SK), (pk, chunk_sk(number)), (pk, result_sk(number))],
                                                         consistent_read=True)}
    return found.get(JOB_SK), found.get(chunk_sk(number)), result_sk(number) in found


def import_chunks_done(job_id: str) -> set[int]:
    """Return the numbers of the chunks whose results are written."""
    results = ImportResultItem.query(import_pk(job_id), ImportResultItem.sk.startswith("result#"),
                                     consistent_read=True, attributes_to_get=["id", "sk", "kind"])
    return {int(item.sk.split("#", 1)[1]) for item in results}


def import_results(job_id: str) -> Iterator[ImportResultItem]:
    """Yield the result items of a job in chunk order."""
    yield from ImportResultItem.query(import_pk(job_id), ImportResultItem.sk.startswith("result#"), consistent_read=True)


def import_chunks(job_id: str) -> Iterator[ImportChunkItem]:
    """Yield the chunks of parsed rows of a job in order."""
    yield from ImportChunkItem.query(import_pk(job_id), ImportChunkItem.sk.startswith("chunk#"), consistent_read=True)


def import_job_list(*, limit: int = 50, tenant_id: str | None = None) -> list[ImportJobItem]:
    """Return the most recent imports, newest first (of one company with ``tenant_id``)."""
    condition = ImportListingItem.tenant_id == tenant_id if tenant_id else None
    listing = []
    for item in ImportListingItem.query(IMPORTS_PK, scan_index_forward=False, filter_condition=condition, page_size=limit):
        listing.append(item)
        if len(listing) >= limit:
            break
    jobs = {job.job_id: job for job in ImportJobItem.batch_get([(import_pk(item.job_id), JOB_SK) for item in listing])}
    return [jobs[item.job_id] for item in listing if item.job_id in jobs]


def import_for_file(*, tenant_id: str, file_hash: str) -> ImportJobItem | None:
    """Return the last import of the file with this sha256 for the company, if any."""
    try:
        marker = ImportFileItem.get(import_files_pk(tenant_id), file_hash, consistent_read=True)
    except ImportFileItem.DoesNotExist:
        return None
    try:
        return get_import_job(marker.job_id)
    except ImportJobNotFound:
        return None


def active_import_ids() -> list[str]:
    """Return the ids of the imports still running (or being prepared)."""
    return [item.sk for item in ActiveImportItem.query(ACTIVE_IMPORTS_PK, consistent_read=True)]


def users_by_email(emails: Iterable[str]) -> dict[str, UserItem]:
    """Return the user items of these emails that exist, by email: BatchGet, 100 keys a request."""
    keys = {(user_pk(email), "0") for email in emails}
    return {user.email: user for user in UserItem.batch_get(keys, consistent_read=True)} if keys else {}


def locks_by_hash(hashes: Iterable[str]) -> dict[str, LockItem]:
    """Return the deduplication locks with these keys that exist (live or expired), by key."""
    keys = {("lock", key) for key in hashes}
    return {lock.sk: lock for lock in LockItem.batch_get(keys, consistent_read=True)} if keys else {}


def free_seats_from(*, tenant_id: str, course_id: str, start: str | None, limit: int) -> list[VacancyItem]:
    """Return up to ``limit`` free seats of a course, from sort key ``start`` on and then from the beginning.

    Seat keys end in a random uuid: concurrent chunks starting at random keys take
    different seats instead of all fighting over the first ones. Without ``start``,
    from the beginning.
    """
    pk, of_course = vacancies_pk(tenant_id), VacancyItem.course_id == course_id
    found: list[VacancyItem] = []
    for range_condition in ((VacancyItem.sk >= start, VacancyItem.sk < start) if start else (None,)):
        for seat in VacancyItem.query(pk, range_condition, filter_condition=of_course, consistent_read=True,
                                      page_size=limit - len(found)):
            found.append(seat)
            if len(found) >= limit:
                return found
    return found
