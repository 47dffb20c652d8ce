"""What becomes of an import's rows, and the names its service, its chunk work and its downloads share: the kind's
name, row results and the job counters they add to, a row as a chunk stores it, a row's enrollment id."""

import uuid
from typing import NamedTuple

from ..rules import IMPORT_SOURCE, job_source
from .rows import ALREADY_ACTIVE, DUPLICATE, INVALID

# The import kind's name in task messages and URLs (``kind.IMPORT``): never change it.
KIND_NAME = "import"

# Row results beyond the checks' own ``invalid`` and ``duplicate``; other domain errors report their ``code``.
ENROLLED = "enrolled"
ALREADY_ENROLLED = "already_enrolled"
NO_VACANCY_LEFT = "no_vacancy_left"
# Row result -> the job counter it adds to; any other result adds to ``failed``.
COUNTERS = {
    ENROLLED: "enrolled",
    ALREADY_ENROLLED: "already_enrolled",
    ALREADY_ACTIVE: "already_active",
    # One person per CPF: the stored people refused the row's CPF or email, as the checks refuse bad data.
    "cpf_taken": "invalid",
    "cpf_mismatch": "invalid",
    NO_VACANCY_LEFT: "no_vacancy_left",
    DUPLICATE: "duplicates",
    INVALID: "invalid",
}
OTHER_COUNTER = "failed"
# Each counter once: several results add to one counter.
COUNTER_NAMES = tuple(dict.fromkeys((*COUNTERS.values(), OTHER_COUNTER)))

_ROW_IDS = uuid.UUID("6f1d4c1e-8a51-4d59-9a38-5b0f3c2a7e11")


class ChunkRow(NamedTuple):
    """A row as a chunk item stores it: cleaned values when OK, the file's values and a message otherwise."""

    line: int
    name: str
    email: str
    cpf: str | None
    course: str
    window_days: int | str | None
    status: str
    message: str


def row_enrollment_id(job_id: str, line: int) -> str:
    """Return the enrollment id of a row: the same for every run of the row, so a retry cannot enroll twice."""
    return str(uuid.uuid5(_ROW_IDS, f"{job_id}#{line}"))


def import_source(job_id: str) -> str:
    """Return the ``source`` recorded on the enrollments of an import."""
    return job_source(IMPORT_SOURCE, job_id)


def job_welcome(job) -> bool:
    """Return whether the enrollments of ``job`` get the welcome email: yes unless the job says no."""
    return job.welcome is not False


def job_enroll_again(job) -> bool:
    """Return whether ``job`` enrolls again people with an active enrollment in the course: no unless it says so."""
    return job.enroll_again is True
