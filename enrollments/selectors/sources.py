"""Reads of what a ``source`` names when a background job wrote it: the import (with its file's name) or the bulk
cancel an enrollment or an audit event came from."""

from collections.abc import Iterable
from dataclasses import dataclass

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ImportJobItem, MainItem
from ..rules import IMPORT_SOURCE, source_job


@dataclass(frozen=True)
class JobSource:
    """The job a source names: its kind (``rules.IMPORT_SOURCE``, ``rules.BULK_CANCEL_SOURCE``), its id and, for an
    import that exists, the name of the file it read."""

    kind: str
    job_id: str
    file_name: str | None = None


@storage_errors_as_domain_errors
def import_file_names(job_ids: Iterable[str]) -> dict[str, str]:
    """Return the file name of each import of ``job_ids`` that exists, by job id: one BatchGet per hundred jobs."""
    wanted = {key for job_id in job_ids if job_id and keys.storable(key := keys.import_job(job_id))}
    if not wanted:
        return {}
    return {item.job_id: item.file_name for item in MainItem.batch_get(wanted) if isinstance(item, ImportJobItem)}


def source_jobs(sources: Iterable[str | None]) -> dict[str, JobSource]:
    """Return the job each of ``sources`` names, by source, leaving out sources no job wrote (``form``,
    ``scheduler``, ...); the imports' file names come from one BatchGet."""
    named = {source: found for source in set(sources) if (found := source_job(source)) is not None}
    files = import_file_names(job_id for kind, job_id in named.values() if kind == IMPORT_SOURCE)
    return {
        source: JobSource(kind=kind, job_id=job_id, file_name=files.get(job_id) if kind == IMPORT_SOURCE else None)
        for source, (kind, job_id) in named.items()
    }
