"""Reads of the compliance report: counts per course and bucket, the people of one bucket, their reminders.

Every read is a query of one company's ``by_tenant_course`` partitions (their shards merged), newest first: the
cost follows the company's own enrollments, never the table's. A person counts once per
course, by ``rules.people_buckets``.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from .. import rules
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import CourseItem, EnrollmentItem, LifecycleRecordItem
from ..pagination import merged_rows
from ..selectors import company_enrollments, course_list

# What the counts need of an enrollment: a projection keeps each page's transfer small.
_COUNT_ATTRIBUTES = [
    "id",
    "sk",
    "kind",
    "tenant_sk",
    "user",
    "course",
    "status",
    "certificate_expires_at",
    "access_expires_at",
    # For the digest's spreadsheet of certificates.
    "completed_at",
]


@dataclass
class CourseCounts:
    """One course's row of a company's report: people per bucket, and how many in all."""

    course: CourseItem
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@storage_errors_as_domain_errors
def course_enrollments(*, tenant_id: str, course_id: str, attributes: list[str] | None = None) -> Iterator:
    """Yield a company's enrollments in one course, newest first: its ``by_tenant_course`` shards merged."""
    shards = [
        EnrollmentItem.by_tenant_course.query(shard, scan_index_forward=False, attributes_to_get=attributes).page_iter
        for shard in keys.tenant_course_shards(tenant_id, course_id)
    ]
    for raw in merged_rows(shards, sort_key=lambda raw: raw["tenant_sk"]["S"]):
        yield EnrollmentItem.from_raw_data(raw)


def compliance_counts(
    *,
    tenant_id: str,
    now: datetime,
    read: Callable[[EnrollmentItem], object] | None = None,
    decided: Callable[[EnrollmentItem, str], object] | None = None,
) -> list[CourseCounts]:
    """Return, for each course the company has enrollments in (catalog order), its people per bucket at ``now``.

    One pass over the company's ``by_tenant`` shards merged newest first, whatever the catalog's size.
    A course whose enrollments are all canceled shows with zeros: the company had people in it.
    ``read`` is given every enrollment as it is read, ``decided`` each person's deciding enrollment and
    its bucket: the compliance digest counts its renewals and lists its people in the same pass.
    """
    seen: set[str] = set()

    def counted(items: Iterable) -> Iterator:
        for item in items:
            seen.add(item.course.id)
            if read is not None:
                read(item)
            yield item

    tally: Counter = Counter()
    for enrollment, bucket in rules.people_buckets(
        counted(company_enrollments(tenant_id, attributes=_COUNT_ATTRIBUTES)),
        now=now,
        person=lambda enrollment: (enrollment.user.id, enrollment.course.id),
    ):
        tally[(enrollment.course.id, bucket)] += 1
        if decided is not None:
            decided(enrollment, bucket)
    return [
        CourseCounts(course=course, counts={bucket: tally[(course.id, bucket)] for bucket in rules.BUCKETS})
        for course in course_list()
        if course.id in seen
    ]


def bucket_people(*, tenant_id: str, course_id: str, bucket: str, now: datetime) -> Iterator[EnrollmentItem]:
    """Yield the enrollment that places each person of a course in ``bucket`` at ``now``, newest first."""
    for enrollment, found in rules.people_buckets(
        course_enrollments(tenant_id=tenant_id, course_id=course_id), now=now
    ):
        if found == bucket:
            yield enrollment


def bucket_count(*, tenant_id: str, course_id: str, bucket: str, now: datetime, limit: int | None = None) -> int:
    """Return how many people of a course are in ``bucket`` (stop counting at ``limit``)."""
    count = 0
    for _enrollment in bucket_people(tenant_id=tenant_id, course_id=course_id, bucket=bucket, now=now):
        count += 1
        if limit is not None and count >= limit:
            break
    return count


@storage_errors_as_domain_errors
def certificate_reminders(enrollment_ids: Iterable[str]) -> dict[str, LifecycleRecordItem]:
    """Return the 30-day certificate reminders of these enrollments that exist, by enrollment id (BatchGet)."""
    wanted = {keys.schedule(enrollment_id, rules.CERT_EXPIRATION_REMINDER_30_DAYS) for enrollment_id in enrollment_ids}
    if not wanted:
        return {}
    return {record.id: record for record in LifecycleRecordItem.batch_get(wanted)}


def with_reminders(enrollments: Iterable[EnrollmentItem], *, batch: int = 100) -> Iterator[tuple]:
    """Yield ``(enrollment, reminder record or None)``, reading the reminders of each ``batch`` rows in one BatchGet."""
    pending: list[EnrollmentItem] = []

    def flush():
        found = certificate_reminders(enrollment.id for enrollment in pending)
        for enrollment in pending:
            yield enrollment, found.get(enrollment.id)
        pending.clear()

    for enrollment in enrollments:
        pending.append(enrollment)
        if len(pending) >= batch:
            yield from flush()
    yield from flush()
