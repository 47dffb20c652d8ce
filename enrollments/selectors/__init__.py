"""Reads of the enrollment core: items by key, and index queries with cursor pages. No Scan.

One contract for a missing item: ``<item>_get`` raises the item's ``...NotFound``
error, ``<item>_find`` answers ``None``. Storage errors leave as ``StorageUnavailable``.

One module per subject; this package names them all, so ``from enrollments import selectors``
and ``selectors.<name>`` read the same as before the split.
"""

from .catalog import (
    cnpj_holder_find,
    company_get,
    company_history,
    company_list,
    course_esocial_codes,
    course_get,
    course_history,
    course_list,
    order_find,
    order_list,
)
from .enrollment import (
    EnrollmentPartition,
    enrolled_event,
    enrollment_get,
    enrollment_partition,
    enrollments_by_id,
    enrollments_existing,
)
from .enrollment_list import (
    ENROLLMENT_LIST_MAX_SCANNED,
    ENROLLMENT_PAGE_SIZE,
    company_enrollments,
    enrollment_list,
)
from .failures import (
    FAILURE_PAGE_SIZE,
    lifecycle_failure_find,
    lifecycle_failure_list,
)
from .lifecycle import (
    due_record_keys,
    lifecycle_record_find,
    lifecycle_records,
    scheduler_cursor,
)
from .people import (
    active_enrollment_ids,
    active_enrollments_of,
    cpf_owner_find,
    cpf_owners,
    lock_find,
    locks_by_hash,
    user_find,
    users_by_email,
)
from .seats import (
    free_seats,
    free_seats_from,
    seat_use_key,
    seats_left,
    seats_left_by_course,
)
from .sources import (
    JobSource,
    import_file_names,
    source_jobs,
)

__all__ = [
    "ENROLLMENT_LIST_MAX_SCANNED",
    "ENROLLMENT_PAGE_SIZE",
    "EnrollmentPartition",
    "FAILURE_PAGE_SIZE",
    "JobSource",
    "active_enrollment_ids",
    "active_enrollments_of",
    "cnpj_holder_find",
    "company_enrollments",
    "company_get",
    "company_history",
    "company_list",
    "course_esocial_codes",
    "course_get",
    "course_history",
    "course_list",
    "cpf_owner_find",
    "cpf_owners",
    "due_record_keys",
    "enrolled_event",
    "enrollment_get",
    "enrollment_list",
    "enrollment_partition",
    "enrollments_by_id",
    "enrollments_existing",
    "free_seats",
    "free_seats_from",
    "import_file_names",
    "lifecycle_failure_find",
    "lifecycle_failure_list",
    "lifecycle_record_find",
    "lifecycle_records",
    "lock_find",
    "locks_by_hash",
    "order_find",
    "order_list",
    "scheduler_cursor",
    "seat_use_key",
    "seats_left",
    "seats_left_by_course",
    "source_jobs",
    "user_find",
    "users_by_email",
]
