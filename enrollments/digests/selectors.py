"""Reads of the compliance digest: HR contacts, digests and their failures, and what a digest says.

``digest_summary`` reads a company's enrollments once (the compliance report's pass,
``reports.selectors.compliance_counts``): the counts per course, the people due for renewal
and the people whose certificates expire within 90 days or have expired, all from that pass.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from .. import rules, selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveDigestItem,
    CompanyItem,
    CourseItem,
    DigestFailureItem,
    DigestItem,
    EnrollmentItem,
    HrContactItem,
    HrContactRosterItem,
)
from ..reports.selectors import compliance_counts
from ..selectors.items import _find
from .periods import adhoc_period

# The report's buckets a digest counts, in its columns' order, then the people due for renewal.
DIGEST_BUCKETS = (
    rules.VALID,
    rules.EXPIRING_30,
    rules.EXPIRING_60,
    rules.EXPIRING_90,
    rules.CERTIFICATE_EXPIRED,
    rules.STUDYING,
    rules.NOT_STARTED,
)
PENDING_RENEWALS = "pending_renewals"
# The people the digest's spreadsheet lists: certificates that expire within 90 days or have expired.
ATTENTION_BUCKETS = (*rules.EXPIRING_BUCKETS, rules.CERTIFICATE_EXPIRED)
# The renewal window of a course that names none (item 1 of the reciclagem: ``CourseItem.renewal_window_days``).
DEFAULT_RENEWAL_WINDOW_DAYS = 60


@storage_errors_as_domain_errors
def contact_list(company_id: str) -> list[HrContactItem]:
    """Return a company's HR contacts, by name (one query of their partition)."""
    contacts = HrContactItem.query(keys.hr_contacts(company_id), consistent_read=True)
    return sorted(contacts, key=lambda contact: (contact.name.casefold(), contact.email))


@storage_errors_as_domain_errors
def contact_roster_revision(company_id: str) -> int:
    """Return the version of a company's set of HR contacts (0 before its first change)."""
    roster = _find(HrContactRosterItem, keys.hr_contact_roster(company_id))
    return int(roster.revision) if roster else 0


@storage_errors_as_domain_errors
def contact_find(company_id: str, contact_id: str) -> HrContactItem | None:
    """Return the company's HR contact ``contact_id``, or ``None``."""
    return _find(HrContactItem, keys.hr_contact(company_id, contact_id)) if contact_id else None


def digest_recipients(company_id: str) -> list[HrContactItem]:
    """Return the company's HR contacts who receive the digest, one per email address."""
    seen: set[str] = set()
    recipients = []
    for contact in contact_list(company_id):
        if contact.receives_digest and contact.email not in seen:
            seen.add(contact.email)
            recipients.append(contact)
    return recipients


@storage_errors_as_domain_errors
def digest_find(company_id: str, period: str) -> DigestItem | None:
    """Return the company's digest of ``period``, or ``None``."""
    return _find(DigestItem, keys.digest(company_id, period)) if period else None


@storage_errors_as_domain_errors
def digest_list(company_id: str, *, limit: int = 10) -> list[DigestItem]:
    """Return a company's latest digests, newest first.

    Weekly and monthly period ids sort by time (``2026-W49``, ``2026-12``): the latest ``limit`` are read. Those
    asked for on the page (``now-<token>``) do not, and are few (one a click): all are read. Both by creation.
    """
    partition, asked = keys.digests(company_id), adhoc_period("")
    periodic = DigestItem.query(partition, DigestItem.sk < asked, scan_index_forward=False, limit=limit)
    on_request = DigestItem.query(partition, DigestItem.sk.startswith(asked))
    digests = [*periodic, *on_request]
    return sorted(digests, key=lambda digest: digest.created_at or "", reverse=True)[:limit]


@storage_errors_as_domain_errors
def digests_existing(wanted: list[keys.Key]) -> set[keys.Key]:
    """Return which of these digest keys exist: BatchGet, 100 keys a request."""
    if not wanted:
        return set()
    return {digest.key for digest in DigestItem.batch_get(set(wanted), attributes_to_get=["id", "sk", "kind"])}


@storage_errors_as_domain_errors
def active_digests() -> list[DigestItem]:
    """Return every digest not yet done (pending, sending, waiting to retry): its markers, then one BatchGet."""
    markers = ActiveDigestItem.query(keys.DIGESTS_ACTIVE, consistent_read=True)
    wanted = {keys.digest_of_active(marker.sk) for marker in markers}
    return list(DigestItem.batch_get(wanted, consistent_read=True)) if wanted else []


@storage_errors_as_domain_errors
def digest_failure_find(failure_sk: str) -> DigestFailureItem | None:
    """Return the digest failure with this sort key (``<failed_at>#<company_id>#<period>``), or ``None``."""
    return _find(DigestFailureItem, keys.digest_failure_of_sk(failure_sk)) if failure_sk else None


@storage_errors_as_domain_errors
def digest_failure_list(*, company_id: str | None = None, limit: int = 50) -> list[DigestFailureItem]:
    """Return the digests that gave up, newest first (of one company, or of all); sending one again removes it."""
    condition = DigestFailureItem.company_id == company_id if company_id else None
    results = DigestFailureItem.query(
        keys.DIGEST_FAILURES, filter_condition=condition, scan_index_forward=False, consistent_read=True
    )
    failures = []
    for failure in results:
        failures.append(failure)
        if len(failures) >= limit:
            break
    return failures


# What a digest says --------------------------------------------------------------------------------------------


def renewal_window_days(course: CourseItem | None) -> int:
    """Return the days before a certificate's expiry from which its person is due for renewal in ``course``."""
    days = getattr(course, "renewal_window_days", None)
    return int(days) if days else getattr(settings, "RENEWAL_WINDOW_DEFAULT_DAYS", DEFAULT_RENEWAL_WINDOW_DAYS)


class PendingRenewals:
    """The people due for renewal per course, counted from the enrollments the digest reads, newest first.

    A person is due in a course when their most recent certificate there (COMPLETED or ARCHIVED,
    with an expiry) is inside the course's renewal window or expired, and no later enrollment of
    theirs in the course is active or completed: canceled and expired enrollments are passed over.
    Once the automatic renewal keeps its list of pending renewals, this count reads that list instead.
    """

    def __init__(self, *, now: datetime, windows: dict[str, int]):
        self.now = now
        self.windows = windows
        self.by_course: Counter = Counter()
        self._decided: set[tuple[str, str]] = set()

    def read(self, enrollment: EnrollmentItem) -> None:
        """Take the next enrollment of the company, read newest first."""
        who = (enrollment.user.id, enrollment.course.id)
        if who in self._decided or enrollment.status in (rules.CANCELED, rules.EXPIRED):
            return
        self._decided.add(who)
        window = self.windows.get(enrollment.course.id, renewal_window_days(None))
        if rules.renewal_due(enrollment, window_days=window, now=self.now):
            self.by_course[enrollment.course.id] += 1


@dataclass(frozen=True)
class AttentionRow:
    """A person whose certificate expires within 90 days or has expired, as the digest's spreadsheet lists them."""

    name: str
    email: str
    cpf: str | None
    course_name: str
    bucket: str
    completed_at: str | None
    certificate_expires_at: str | None


@dataclass
class CourseRow:
    """One course's line of the digest: people per bucket and due for renewal."""

    course: CourseItem
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts[bucket] for bucket in DIGEST_BUCKETS)


@dataclass
class DigestSummary:
    """What a company's digest says at ``now``, in no language: the words come when it is rendered."""

    company: CompanyItem
    now: datetime
    rows: list[CourseRow] = field(default_factory=list)
    attention: list[AttentionRow] = field(default_factory=list)

    def total(self, column: str) -> int:
        return sum(row.counts[column] for row in self.rows)


def digest_summary(company: CompanyItem, *, now: datetime) -> DigestSummary:
    """Return what ``company``'s digest says at ``now``: one pass over its enrollments (the compliance report's)."""
    courses = {course.id: course for course in selectors.course_list()}
    renewals = PendingRenewals(now=now, windows={id_: renewal_window_days(c) for id_, c in courses.items()})
    attention: list[AttentionRow] = []

    def decided(enrollment: EnrollmentItem, bucket: str) -> None:
        if bucket in ATTENTION_BUCKETS:
            course = courses.get(enrollment.course.id)
            attention.append(
                AttentionRow(
                    name=enrollment.user.name,
                    email=enrollment.user.email,
                    cpf=enrollment.user.cpf,
                    course_name=course.name if course else enrollment.course.name,
                    bucket=bucket,
                    completed_at=enrollment.completed_at,
                    certificate_expires_at=enrollment.certificate_expires_at,
                )
            )

    counts = compliance_counts(tenant_id=company.id, now=now, read=renewals.read, decided=decided)
    rows = [
        CourseRow(
            course=row.course,
            counts={
                **{bucket: row.counts[bucket] for bucket in DIGEST_BUCKETS},
                PENDING_RENEWALS: renewals.by_course[row.course.id],
            },
        )
        for row in counts
    ]
    # The most urgent first: expired longest ago, then the soonest to expire; then by course and name.
    attention.sort(key=lambda row: (row.certificate_expires_at or "", row.course_name.casefold(), row.name.casefold()))
    return DigestSummary(company=company, now=now, rows=rows, attention=attention)
