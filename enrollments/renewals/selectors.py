"""Reads of renewals: who of a company is due for renewal and why some cannot be renewed (the preview), a
renewal job, its results and the list of jobs. No Scan.

Who is due reads one company's enrollments newest first (one course's ``by_tenant_course`` shards, or the company's
``by_tenant`` shards), keeps each person's most recent certificate of each course and what came after it, then
reads their active enrollments and deduplication locks in BatchGets and the company's free seats once.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from .. import labels, rules
from .. import selectors as core_selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    CompanyItem,
    CourseItem,
    EnrollmentItem,
    RenewalJobItem,
    RenewalListingItem,
    RenewalResultItem,
)
from ..exceptions import CourseNotFound, EnrollmentNotFound
from ..jobs.kinds import kind_named
from ..jobs.selectors import job_get, job_progress, rows_progress
from ..reports.selectors import course_enrollments

# The renewal kind's name in task messages and URLs (``kind.RENEWAL``): never change it.
KIND_NAME = "renewal"
# What became of a certificate in a renewal job, besides the refusals of ``rules.RENEWAL_REFUSALS``.
RENEWED = "renewed"
FAILED = "failed"
# The report's counts a renewal may start from: the expiring ones and the expired.
RENEWAL_BUCKETS = (*rules.EXPIRING_BUCKETS, rules.CERTIFICATE_EXPIRED)

# What the preview needs of an enrollment: a projection keeps each page's transfer small.
_ATTRIBUTES = [
    "id",
    "sk",
    "kind",
    "tenant_sk",
    "tenant_id",
    "tenant_name",
    "created_at",
    "user",
    "course",
    "status",
    "certificate_expires_at",
    "renews",
]


def renewal_source(job_id: str) -> str:
    """Return the ``source`` of the enrollments a renewal job makes (``ENROLLED`` audit event and enrollment)."""
    return rules.job_source(rules.RENEWAL_SOURCE, job_id)


class Later(NamedTuple):
    """An enrollment of the person in the course made after their certificate: what ``rules.renewal_refusal``
    reads of it."""

    id: str
    status: str
    renews: str | None
    certificate_expires_at: str | None = None


def _later(enrollment) -> Later:
    return Later(enrollment.id, enrollment.status, enrollment.renews, enrollment.certificate_expires_at)


def latest_certificates(enrollments_newest_first: Iterable) -> Iterator[tuple[EnrollmentItem, list[Later]]]:
    """Yield ``(certificate, later enrollments)`` for each person and course of enrollments read newest first:
    their most recent certificate with an expiry (a certificate without one never expires) and what they had in
    the course after it. People without a certificate are left out."""
    waiting: dict[tuple[str, str], list[Later]] = defaultdict(list)
    decided: set[tuple[str, str]] = set()
    for enrollment in enrollments_newest_first:
        who = (enrollment.user.id, enrollment.course.id)
        if who in decided:
            continue
        if rules.is_certificate(enrollment):
            decided.add(who)
            later = waiting.pop(who, [])
            if enrollment.certificate_expires_at:
                yield enrollment, later
            continue
        waiting[who].append(_later(enrollment))


@storage_errors_as_domain_errors
def later_enrollments(certificate: EnrollmentItem) -> list[Later]:
    """Return the enrollments the certificate's person has had at its company in its course since it (the person's
    ``by_email`` partition: a few rows)."""
    after = f"{certificate.created_at}#{certificate.id}"
    found = EnrollmentItem.by_email.query(certificate.user.email, EnrollmentItem.email_sk > after)
    return [
        _later(enrollment)
        for enrollment in found
        if enrollment.tenant_id == certificate.tenant_id and enrollment.course.id == certificate.course.id
    ]


@dataclass
class RenewalCandidate:
    """A person's most recent certificate of a course, due for renewal (or of the report's count asked for), and
    why it cannot be renewed now, if it cannot."""

    certificate: EnrollmentItem
    course: CourseItem
    bucket: str
    window_days: int
    refusal: str | None = None
    # The enrollment in the way: the renewal made before, a later certificate, the active one, the lock's holder.
    blocking_id: str | None = None

    @property
    def window_starts(self) -> datetime:
        return rules.renewal_window_start(self.certificate.certificate_expires_at, self.window_days)

    @property
    def refusal_label(self) -> str:
        return labels.label(labels.RENEWAL_REFUSALS, self.refusal)


@dataclass
class CourseSeats:
    """One course of a preview: its renewals, and the free seats a prepaid company has (``None``: postpaid)."""

    course: CourseItem
    renewals: int = 0
    available: int | None = None
    # The people past the free seats.
    short: int = 0


@dataclass
class RenewalPreview:
    """Who a renewal enrolls again (``renewable``, soonest expiry first, so seats go to them first), who it cannot
    and why (``refused``), and the seats per course."""

    company: CompanyItem
    now: datetime
    course_id: str | None = None
    bucket: str | None = None
    renewable: list[RenewalCandidate] = field(default_factory=list)
    refused: list[RenewalCandidate] = field(default_factory=list)
    seats: list[CourseSeats] = field(default_factory=list)

    def job_certificate_ids(self) -> list[str]:
        """Return the certificates a job started from this preview goes through: the renewable ones first (seats
        in the preview's order), then the refused ones that may have changed by then (every refusal but
        ``not_due``), each once."""
        chosen = self.renewable + [c for c in self.refused if c.refusal != rules.NOT_DUE]
        return list(dict.fromkeys(candidate.certificate.id for candidate in chosen))


def blocking_id(
    certificate, later: list[Later], refusal: str | None, *, active_ids: Iterable[str] = (), lock=None
) -> str | None:
    """Return the enrollment in the way of renewing ``certificate`` for ``refusal``: the renewal made before or a
    later certificate, the active enrollment, the deduplication lock's holder; ``None`` when none is known."""
    if refusal == rules.ALREADY_RENEWED:
        renewal_id = rules.renewal_enrollment_id(certificate.id)
        for enrollment in later:
            if enrollment.id == renewal_id or enrollment.renews == certificate.id:
                return enrollment.id
        return next((enrollment.id for enrollment in later if rules.is_certificate(enrollment)), None)
    if refusal == rules.ACTIVE_ENROLLMENT:
        ids = sorted(active_ids) or [enrollment.id for enrollment in later if enrollment.status in rules.ACTIVE_STATES]
        return ids[0] if ids else None
    if refusal == rules.DEDUPLICATION and lock is not None:
        return lock.enrollment_id
    return None


@storage_errors_as_domain_errors
def renewal_preview(
    *, company: CompanyItem, now: datetime, course_id: str | None = None, bucket: str | None = None
) -> RenewalPreview:
    """Return who of ``company`` a renewal enrolls again at ``now``, who it cannot and why, and the seats.

    With ``course_id`` and ``bucket`` (one of ``RENEWAL_BUCKETS``): the people of that course whose most recent
    certificate is in that count of the report (those not due yet are refused as such). Without: every person of
    the company due for renewal, in every course.
    """
    courses = {course.id: course for course in core_selectors.course_list()}
    if course_id:
        enrollments = course_enrollments(tenant_id=company.id, course_id=course_id, attributes=_ATTRIBUTES)
    else:
        enrollments = core_selectors.company_enrollments(company.id, attributes=_ATTRIBUTES)
    picked: list[tuple[RenewalCandidate, list[Later]]] = []
    for certificate, later in latest_certificates(enrollments):
        course = courses.get(certificate.course.id)
        if course is None:
            continue
        window = rules.renewal_window_days(course)
        found = rules.compliance_bucket(certificate, now=now)
        if bucket is not None and found != bucket:
            continue
        if bucket is None and not rules.renewal_due(certificate, window_days=window, now=now):
            continue
        picked.append(
            (RenewalCandidate(certificate=certificate, course=course, bucket=found, window_days=window), later)
        )
    # A prepaid company's free seats, read once; a postpaid company's are not counted (billed per enrollment).
    prepaid = company.billing == rules.PREPAID
    seats_left = core_selectors.seats_left_by_course(tenant_id=company.id) if prepaid and picked else None
    _decide(picked, now=now, seats_left=seats_left)
    preview = RenewalPreview(company=company, now=now, course_id=course_id, bucket=bucket)
    by_expiry = sorted((candidate for candidate, _later in picked), key=_soonest_first)
    preview.renewable = [candidate for candidate in by_expiry if candidate.refusal is None]
    preview.refused = [candidate for candidate in by_expiry if candidate.refusal is not None]
    preview.seats = _course_seats(by_expiry, seats_left=seats_left)
    return preview


def _soonest_first(candidate: RenewalCandidate) -> tuple:
    return candidate.certificate.certificate_expires_at, candidate.certificate.user.name.lower()


def _decide(
    picked: list[tuple[RenewalCandidate, list[Later]]], *, now: datetime, seats_left: dict[str, int] | None
) -> None:
    """Set each candidate's refusal: what came after its certificate, then the person's active enrollments and lock
    (BatchGets of 100 keys a request), then, with ``seats_left`` (a prepaid company's free seats per course), the
    seats, soonest expiry first."""
    pairs = {(c.certificate.user.id, c.course.id) for c, _later in picked}
    active = core_selectors.active_enrollments_of(pairs)
    hashes = {pair: keys.lock_hash(user_id=pair[0], course_id=pair[1]) for pair in pairs}
    locks = core_selectors.locks_by_hash(hashes.values())
    for candidate, later in picked:
        pair = (candidate.certificate.user.id, candidate.course.id)
        active_ids, lock = active.get(pair, set()), locks.get(hashes[pair])
        candidate.refusal = rules.renewal_refusal(
            candidate.certificate,
            now=now,
            window_days=candidate.window_days,
            later=later,
            active=bool(active_ids),
            locked_until=lock.expires_at if lock is not None else None,
            retired=bool(candidate.course.retired_at),
        )
        candidate.blocking_id = blocking_id(
            candidate.certificate, later, candidate.refusal, active_ids=active_ids, lock=lock
        )
    if seats_left is None:
        return
    taken: dict[str, int] = defaultdict(int)
    for candidate, _later in sorted(picked, key=lambda pair: _soonest_first(pair[0])):
        if candidate.refusal is not None:
            continue
        if taken[candidate.course.id] >= seats_left.get(candidate.course.id, 0):
            candidate.refusal = rules.NO_SEAT
        else:
            taken[candidate.course.id] += 1


def _course_seats(candidates: list[RenewalCandidate], *, seats_left: dict[str, int] | None) -> list[CourseSeats]:
    rows: dict[str, CourseSeats] = {}
    for candidate in candidates:
        if candidate.refusal not in (None, rules.NO_SEAT):
            continue
        row = rows.setdefault(
            candidate.course.id,
            CourseSeats(
                course=candidate.course,
                available=seats_left.get(candidate.course.id, 0) if seats_left is not None else None,
            ),
        )
        row.renewals += 1
        row.short += candidate.refusal == rules.NO_SEAT
    return sorted(rows.values(), key=lambda row: row.course.name.lower())


@storage_errors_as_domain_errors
def certificates_by_id(enrollment_ids: Iterable[str]) -> dict[str, EnrollmentItem]:
    """Return the enrollments of these ids that exist, by id (BatchGet)."""
    wanted = {keys.enrollment(enrollment_id) for enrollment_id in enrollment_ids}
    if not wanted:
        return {}
    return {item.id: item for item in EnrollmentItem.batch_get(wanted, consistent_read=True)}


def course_find(course_id: str) -> CourseItem | None:
    """Return the course, or ``None`` when it does not exist (one GetItem)."""
    try:
        return core_selectors.course_get(course_id)
    except CourseNotFound:
        return None


def renewal_exists(certificate_id: str) -> bool:
    """Return whether the renewal of ``certificate_id`` exists (whatever its state): one GetItem."""
    try:
        core_selectors.enrollment_get(rules.renewal_enrollment_id(certificate_id))
    except EnrollmentNotFound:
        return False
    return True


def renewed_by_job(certificate_id: str, job_id: str) -> str | None:
    """Return the id of the renewal of ``certificate_id`` if the renewal job ``job_id`` made it (a chunk run again
    finds its first run's renewals), else ``None``."""
    renewal_id = rules.renewal_enrollment_id(certificate_id)
    try:
        renewal = core_selectors.enrollment_get(renewal_id)
    except EnrollmentNotFound:
        return None
    return renewal_id if renewal.source == renewal_source(job_id) else None


@storage_errors_as_domain_errors
def renewal_results(job_id: str) -> Iterator[list]:
    """Yield the row of every certificate recorded so far, in chunk order (``RenewalResultItem``)."""
    for item in RenewalResultItem.query(
        keys.renewal_partition(job_id), RenewalResultItem.sk.startswith(keys.RESULT_PREFIX), consistent_read=True
    ):
        yield from item.rows


class ResultLine(NamedTuple):
    """One person of a renewal job, as its page lists them."""

    certificate_id: str
    name: str
    cpf: str
    course: str
    expires_at: str
    result: str
    enrollment_id: str | None
    message: str

    @property
    def result_label(self) -> str:
        return labels.label(labels.RENEWAL_RESULTS, self.result)


def result_lines(job_id: str) -> list[ResultLine]:
    """Return every person a renewal job recorded, in its order."""
    return [ResultLine(*row) for row in renewal_results(job_id)]


@storage_errors_as_domain_errors
def renewal_list(*, limit: int) -> list[RenewalJobItem]:
    """Return the latest ``limit`` renewals, newest first."""
    listing = RenewalListingItem.query(keys.RENEWALS, scan_index_forward=False, limit=limit)
    job_ids = [item.job_id for item in listing]
    found = {item.job_id: item for item in RenewalJobItem.batch_get([keys.renewal_job(i) for i in job_ids])}
    return [found[job_id] for job_id in job_ids if job_id in found]


def renewal_get(job_id: str) -> RenewalJobItem:
    """Return the renewal job, or raise ``RenewalNotFound``."""
    return job_get(kind_named(KIND_NAME), job_id)


def progress_numbers(job: RenewalJobItem) -> dict:
    """Return a renewal's part of its progress (the renewal kind's ``progress``)."""
    return {
        **rows_progress(job, done=job.done, total=job.total),
        "renewed": int(job.renewed),
        "refused": int(job.refused),
    }


def renewal_progress(job_id: str) -> dict:
    """Return the progress of a renewal, as its page's bar shows it (raise ``RenewalNotFound``)."""
    kind = kind_named(KIND_NAME)
    return job_progress(kind, job_get(kind, job_id))
