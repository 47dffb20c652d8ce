"""Every write of the back office. Each service is one DynamoDB transaction."""

from ..rules import Person
from .cancel import cancel
from .catalog import company_create, course_create, order_create
from .common import Author
from .delivery import lifecycle_record_process, lifecycle_records_process
from .enroll import enroll
from .failures import lifecycle_failure_resend, lifecycle_failures_resend
from .progress import record_access, record_activity, record_completion
from .scheduler import lifecycle_cursor_set, lifecycle_tick

__all__ = [
    "Author",
    "Person",
    "cancel",
    "company_create",
    "course_create",
    "enroll",
    "lifecycle_cursor_set",
    "lifecycle_failure_resend",
    "lifecycle_failures_resend",
    "lifecycle_record_process",
    "lifecycle_records_process",
    "lifecycle_tick",
    "order_create",
    "record_access",
    "record_activity",
    "record_completion",
]
