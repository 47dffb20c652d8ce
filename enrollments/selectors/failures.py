"""Reads of the lifecycle records that gave up (the "Failed emails" page)."""

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import LifecycleFailureItem
from ..pagination import decode_cursor, encode_cursor, index_page
from .items import _find

FAILURE_PAGE_SIZE = 50


@storage_errors_as_domain_errors
def lifecycle_failure_find(failure_sk: str) -> LifecycleFailureItem | None:
    """Return the failure with this sort key (``<failed_at>#<enrollment_id>#<event>``), or ``None``."""
    return _find(LifecycleFailureItem, keys.lifecycle_failure_of_sk(failure_sk)) if failure_sk else None


@storage_errors_as_domain_errors
def lifecycle_failure_list(
    *, tenant_id: str | None = None, cursor: str | None = None, page_size: int = FAILURE_PAGE_SIZE
) -> tuple[list[LifecycleFailureItem], str | None]:
    """Return a page of lifecycle records that gave up, newest first, and the cursor of the next page (or ``None``).

    A company's come from the ``failures_by_tenant`` index, all of them from their own
    partition. Raise ``InvalidCursor`` for a cursor of another list.
    """
    query_id = f"lifecycle_failures|{tenant_id}"
    position = decode_cursor(cursor, query_id)
    if tenant_id:
        results = LifecycleFailureItem.by_tenant.query(
            keys.company_failures(tenant_id),
            scan_index_forward=False,
            page_size=page_size + 1,
            last_evaluated_key=position,
        )
    else:
        results = LifecycleFailureItem.query(
            keys.LIFECYCLE_FAILURES,
            scan_index_forward=False,
            consistent_read=True,
            page_size=page_size + 1,
            last_evaluated_key=position,
        )
    # No filter expression of ours: every row read is a failure, so the read budget is never the limit.
    raws, next_position, _complete = index_page(results.page_iter, page_size=page_size, max_scanned=page_size * 10)
    items = [LifecycleFailureItem.from_raw_data(raw) for raw in raws]
    return items, encode_cursor(query_id, next_position) if next_position is not None else None
