"""The enrollment list: a page from the index that fits the filters, and a company's every enrollment."""

from collections.abc import Iterator

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem
from ..pagination import Page, decode_cursor, encode_cursor, index_page, merged_page, merged_rows
from .name_search import _name_page

ENROLLMENT_PAGE_SIZE = 50
# Rows a list page may read before a filter expression (status, or company and
# course on a person's search) has filled it; see ``enrollments.pagination``.
ENROLLMENT_LIST_MAX_SCANNED = 2000


def _sort_key(raw: dict) -> str:
    return raw["tenant_sk"]["S"]


@storage_errors_as_domain_errors
def enrollment_list(
    *,
    tenant_id: str | None = None,
    course_id: str | None = None,
    status: str | None = None,
    email: str | None = None,
    cpf: str | None = None,
    name: list[str] | None = None,
    cursor: str | None = None,
    page_size: int = ENROLLMENT_PAGE_SIZE,
    max_scanned: int = ENROLLMENT_LIST_MAX_SCANNED,
) -> Page:
    """Return a page of enrollments, newest first, from the index that fits the filters.

    ``email`` and ``cpf`` are normalised already (``validators``). A person's
    enrollments come from ``by_email`` or ``by_cpf``, the other filters applied to
    those few rows; ``name`` (words of ``rules.name_words``) searches by name, see
    ``_name_page``; otherwise company and course pick ``by_tenant_course``,
    ``by_tenant`` or ``by_course``, and no filter reads ``all_enrollments``, each
    partition's shards merged newest first; the status is a filter expression on whichever index. Raise ``InvalidCursor``
    for a cursor of another list.
    """
    if name:
        return _name_page(
            name,
            tenant_id=tenant_id,
            course_id=course_id,
            status=status,
            cursor=cursor,
            page_size=page_size,
            max_scanned=max_scanned,
        )
    conditions = []
    shards: list[str] = []
    if email or cpf:
        index, hash_key = (EnrollmentItem.by_email, email) if email else (EnrollmentItem.by_cpf, cpf)
        if tenant_id:
            conditions.append(EnrollmentItem.tenant_id == tenant_id)
        if course_id:
            conditions.append(EnrollmentItem.course.id == course_id)
    elif tenant_id and course_id:
        index, hash_key = EnrollmentItem.by_tenant_course, keys.tenant_course(tenant_id, course_id)
        shards = keys.tenant_course_shards(tenant_id, course_id)
    elif tenant_id:
        index, hash_key = EnrollmentItem.by_tenant, tenant_id
        shards = keys.tenant_shards(tenant_id)
    elif course_id:
        index, hash_key = EnrollmentItem.by_course, course_id
        shards = keys.course_shards(course_id)
    else:
        index, hash_key = EnrollmentItem.all_enrollments, None
        shards = keys.list_shards()
    if status:
        conditions.append(EnrollmentItem.status == status)
    filter_condition = None
    for condition in conditions:
        filter_condition &= condition
    index_name = index.Meta.index_name
    query_id = f"{index_name}|{hash_key}|{tenant_id}|{course_id}|{status}"
    position = decode_cursor(cursor, query_id)

    if shards:
        # A sharded partition (a company's, a course's, every enrollment's): each shard read newest first, merged.

        def shard_pages(shard):
            def pages(after, limit):
                return index.query(
                    shard,
                    range_key_condition=(EnrollmentItem.tenant_sk < after) if after else None,
                    filter_condition=filter_condition,
                    scan_index_forward=False,
                    page_size=limit,
                ).page_iter

            return pages

        raws, next_position, complete = merged_page(
            [shard_pages(shard) for shard in shards],
            sort_key=_sort_key,
            after=position,
            page_size=page_size,
            max_scanned=max_scanned,
        )
    else:
        pages = index.query(
            hash_key,
            filter_condition=filter_condition,
            scan_index_forward=False,
            page_size=page_size + 1,
            last_evaluated_key=position,
        ).page_iter
        raws, next_position, complete = index_page(pages, page_size=page_size, max_scanned=max_scanned)
    return Page(
        items=[EnrollmentItem.from_raw_data(raw) for raw in raws],
        next_cursor=encode_cursor(query_id, next_position) if next_position is not None else None,
        complete=complete,
        index=index_name,
    )


@storage_errors_as_domain_errors
def company_enrollments(tenant_id: str, *, attributes: list[str] | None = None) -> Iterator[EnrollmentItem]:
    """Yield every enrollment of a company, in every course, newest first: its ``by_tenant`` shards merged.

    It reads them all (reports and maintenance); ``attributes`` reads only those of each.
    """
    shards = [
        EnrollmentItem.by_tenant.query(shard, scan_index_forward=False, attributes_to_get=attributes).page_iter
        for shard in keys.tenant_shards(tenant_id)
    ]
    for raw in merged_rows(shards, sort_key=_sort_key):
        yield EnrollmentItem.from_raw_data(raw)
