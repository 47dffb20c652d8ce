"""Reads of "Recent actions": what staff did in the back office, newest first. No Scan.

An action is an item that records it (``dynamo.models.RecentActionItem``): an enrollment's
audit event, a company's or a course's, an import, a bulk cancel, a renewal. One staff member's come from
the ``by_actor`` index, everyone's from the ``recent_actions`` shards merged newest first. The
indexes project what a line says of the action itself; what it acted on (the enrollment, the
company, the course) comes in one BatchGet for the whole list.
"""

from dataclasses import dataclass

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    AuditEventItem,
    BulkCancelJobItem,
    CatalogAuditEventItem,
    CompanyItem,
    CourseItem,
    EnrollmentItem,
    ImportJobItem,
    MainItem,
    RecentActionItem,
    RenewalJobItem,
)
from ..pagination import index_page, merged_page

RECENT_ACTIONS_SHOWN = 10

# What an action acted on, which names the page it links to.
ENROLLMENT = "enrollment"
COMPANY = "company"
COURSE = "course"
IMPORT = "import"
BULK_CANCEL = "bulk_cancel"
RENEWAL = "renewal"


@dataclass(frozen=True)
class RecentAction:
    """One action: ``item`` records it; it acted on the ``kind`` item ``target_id``, read now as ``target``
    (the enrollment, company or course; ``None`` for a job, whose ``item`` says it all, or when gone)."""

    kind: str
    item: RecentActionItem
    target_id: str
    target: EnrollmentItem | CompanyItem | CourseItem | None = None


def _recent_sk(raw: dict) -> str:
    return raw["recent_sk"]["S"]


@storage_errors_as_domain_errors
def recent_actions(*, author_id: str | None = None, limit: int = RECENT_ACTIONS_SHOWN) -> list[RecentAction]:
    """Return the latest ``limit`` actions of the staff member ``author_id`` (an ``Author.id``), or of every
    staff member without it, newest first."""
    if author_id:
        pages = RecentActionItem.by_actor.query(
            keys.actor_actions(author_id), scan_index_forward=False, page_size=limit + 1
        ).page_iter
        raws, _next, _complete = index_page(pages, page_size=limit, max_scanned=limit * 10)
    else:

        def shard_pages(shard: str):
            def pages(after, page_size):
                return RecentActionItem.recent_actions.query(
                    shard,
                    range_key_condition=(RecentActionItem.recent_sk < after) if after else None,
                    scan_index_forward=False,
                    page_size=page_size,
                ).page_iter

            return pages

        raws, _next, _complete = merged_page(
            [shard_pages(shard) for shard in keys.recent_shards()],
            sort_key=_recent_sk,
            after=None,
            page_size=limit,
            max_scanned=limit * 10 * len(keys.recent_shards()),
        )
    items = [RecentActionItem.from_raw_data(raw) for raw in raws]
    targets = _targets(items)
    return [_action(item, targets) for item in items]


def _target_key(item: RecentActionItem) -> keys.Key | None:
    if isinstance(item, AuditEventItem):
        return keys.enrollment(item.id)
    if isinstance(item, CatalogAuditEventItem):
        return keys.history_owner(item.id)
    return None


def _targets(items: list[RecentActionItem]) -> dict[keys.Key, MainItem]:
    """Return the enrollments, companies and courses these actions acted on, by key: one BatchGet."""
    wanted = {key for item in items if (key := _target_key(item)) is not None}
    if not wanted:
        return {}
    return {found.key: found for found in MainItem.batch_get(wanted)}


def _action(item: RecentActionItem, targets: dict[keys.Key, MainItem]) -> RecentAction:
    if isinstance(item, ImportJobItem):
        return RecentAction(IMPORT, item, item.job_id)
    if isinstance(item, BulkCancelJobItem):
        return RecentAction(BULK_CANCEL, item, item.job_id)
    if isinstance(item, RenewalJobItem):
        return RecentAction(RENEWAL, item, item.job_id)
    key = _target_key(item)
    if isinstance(item, AuditEventItem):
        kind = ENROLLMENT
    else:
        kind = COMPANY if key.pk == keys.COMPANIES else COURSE
    # The enrollment's id is its partition; a company's or a course's, the sort key of its catalog item.
    return RecentAction(kind, item, key.pk if kind == ENROLLMENT else key.sk, targets.get(key))
