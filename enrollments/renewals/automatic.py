"""Automatic renewal, for companies that opt in (``rules.auto_renews``): when a certificate's renewal window opens,
its ``renewal_window`` lifecycle record (scheduled at completion, fired by the scheduler, claimed once) enrolls the
person again (``renewal_window_work``); a prepaid company without a free seat gets the person listed as pending
(``RenewalPendingItem``) until seats arrive (``renewals_pending_on_seats``) or staff renew them
(``renewals_pending_renew``). ``renewals_schedule`` writes the records of certificates completed before records
existed (the ``schedule_renewals`` command).

Every renewal goes through ``services.renewal_enroll``, whose id is fixed by the certificate's: two ticks, two
workers, a claim that ran out, a job of the report and the pending list all write the same enrollment, once.
"""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.utils import translation

from .. import clock, rules, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem, RenewalPendingItem
from ..dynamo.transactions import Transaction, TransactionFailed
from ..exceptions import (
    ConcurrentChange,
    EnrollmentError,
    EnrollmentNotFound,
    RenewalRefused,
    StorageUnavailable,
)
from ..rules import RECORD_SENT, RECORD_SKIPPED, RENEWAL_WINDOW
from ..services.common import SYSTEM, Author, audit_event
from ..services.enrollment_events import CERTIFICATE_RENEWAL_WINDOW, enrollment_event_items
from ..services.lifecycle import renewal_window_record
from ..services.record_outcomes import WorkDone
from . import pending as pending_selectors
from . import selectors as renewal_selectors
from .selectors import FAILED, RENEWED
from .services import renewal_enroll

# The ``source`` of the enrollments automatic renewal makes (the record, seats that arrived, staff's "Renew now").
AUTO_RENEWAL_SOURCE = "auto_renewal"
# What automatic renewal writes in the certificate's audit trail (``labels.ACTIONS``).
AUTO_RENEWED = "AUTO_RENEWED"
RENEWAL_PENDING = "RENEWAL_PENDING"
RENEWAL_SKIPPED = "RENEWAL_SKIPPED"
RENEWAL_POSTPONED = "RENEWAL_POSTPONED"
RENEWAL_PENDING_DROPPED = "RENEWAL_PENDING_DROPPED"
# Why a record renewed nobody, stored in English (``templatetags.audit`` says them in the reader's language).
NOT_AUTO_RENEWED = "the company does not renew automatically"
COURSE_NOT_AUTO_RENEWED = "the company does not renew this course automatically"
COURSE_RETIRED = "the course is retired"
# A deduplication lock that should have lifted but is still read: look again a little later.
_LOCK_RECHECK = timedelta(minutes=5)
# Refusals after which a person no longer waits for a seat: someone renewed or enrolled them otherwise.
_NO_LONGER_PENDING = (rules.ALREADY_RENEWED, rules.ACTIVE_ENROLLMENT)


def not_renewed(refusal: str) -> str:
    """Return the stored reason of a renewal refused for ``refusal`` (a code of ``rules.RENEWAL_REFUSALS``)."""
    return f"not renewed: {refusal}"


def renewed_by(enrollment_id: str) -> str:
    """Return the stored detail naming the enrollment that renewed a certificate."""
    return f"renewed by {enrollment_id}"


def due_again(at: str) -> str:
    """Return the stored detail of a renewal window record due again at ``at`` (ISO)."""
    return f"{RENEWAL_WINDOW} due again at {at}"


def renewal_window_work(record: LifecycleRecordItem, enrollment: EnrollmentItem) -> WorkDone:
    """Do what a certificate's ``renewal_window`` record does (the work of ``rules.RENEW``, registered with
    ``services.delivery``): enroll the person again if the company renews the course automatically.

    Renewed: done. No seat (prepaid): the person is listed as pending, in the record's own transaction. A window
    that is not open any more (the course's shrank since) or a deduplication lock: the record is due again when
    they allow. Not renewed automatically, already renewed, an active enrollment, a retired course: skipped, the
    reason said. Safe to run again for the same record: the renewal's id is fixed, and a renewal that exists is
    found (``already_renewed``).
    """
    # Stored reasons and details are English, whatever language the worker runs in.
    with translation.override("en"):
        done = _renewal_window_work(record, enrollment)
    if done.due_again_at is not None:
        return done  # The window is not open yet (the course's shrank), or a lock: told when the record is done.
    # Every company with a webhook endpoint hears of it, auto-renewing or not, in the record's own transaction.
    told = enrollment_event_items(
        CERTIFICATE_RENEWAL_WINDOW, enrollment, occurred_at=record.scheduled_for or record.due_at
    )
    return replace(done, puts=(*done.puts, *told))


def _renewal_window_work(record: LifecycleRecordItem, enrollment: EnrollmentItem) -> WorkDone:
    company = selectors.company_get(enrollment.tenant_id)
    if not rules.auto_renews(company, enrollment.course.id):
        reason = COURSE_NOT_AUTO_RENEWED if company.auto_renew else NOT_AUTO_RENEWED
        return WorkDone(state=RECORD_SKIPPED, action=RENEWAL_SKIPPED, reason=reason)
    course = selectors.course_get(enrollment.course.id)
    if course.retired_at:
        return WorkDone(state=RECORD_SKIPPED, action=RENEWAL_SKIPPED, reason=COURSE_RETIRED)
    try:
        renewal = renewal_enroll(renewed=enrollment, author=SYSTEM, source=AUTO_RENEWAL_SOURCE)
    except RenewalRefused as refused:
        return _refused(enrollment, course, refused)
    except (StorageUnavailable, ConcurrentChange):
        raise
    except EnrollmentError as error:  # a CPF now another person's, say: nothing a later try would change
        return WorkDone(state=RECORD_SKIPPED, action=RENEWAL_SKIPPED, reason=f"not renewed: {error.message}")
    return WorkDone(state=RECORD_SENT, action=AUTO_RENEWED, detail=renewed_by(renewal.id))


def _refused(enrollment: EnrollmentItem, course, refused: RenewalRefused) -> WorkDone:
    reason = refused.reason
    if reason == rules.NO_SEAT:
        return WorkDone(
            state=RECORD_SENT,
            action=RENEWAL_PENDING,
            reason=not_renewed(reason),
            puts=(_pending_item(enrollment),),
        )
    if reason == rules.NOT_DUE:
        # The course's window shrank since the record was scheduled: due when the window opens now.
        opens = rules.renewal_window_start(enrollment.certificate_expires_at, rules.renewal_window_days(course))
        return _later(max(opens, clock.now()))
    if reason == rules.DEDUPLICATION:
        lock = selectors.lock_find(keys.lock_hash(user_id=enrollment.user.id, course_id=course.id))
        lifts = clock.from_iso(lock.expires_at) if lock is not None else clock.now()
        return _later(max(lifts, clock.now() + _LOCK_RECHECK))
    renewal_id = rules.renewal_enrollment_id(enrollment.id)
    if reason == rules.ALREADY_RENEWED and refused.enrollment_id == renewal_id and _made_here(renewal_id):
        # An earlier claim of this record renewed and died before its mark.
        return WorkDone(state=RECORD_SENT, action=AUTO_RENEWED, detail=renewed_by(renewal_id))
    detail = renewed_by(refused.enrollment_id) if refused.enrollment_id else ""
    return WorkDone(state=RECORD_SKIPPED, action=RENEWAL_SKIPPED, reason=not_renewed(reason), detail=detail)


def _later(at) -> WorkDone:
    return WorkDone(state=rules.RECORD_PENDING, action=RENEWAL_POSTPONED, detail=due_again(to_iso(at)), due_again_at=at)


def _made_here(renewal_id: str) -> bool:
    try:
        renewal = selectors.enrollment_get(renewal_id)
    except EnrollmentNotFound:
        return False
    return renewal.source == AUTO_RENEWAL_SOURCE


def _pending_item(enrollment: EnrollmentItem) -> RenewalPendingItem:
    return RenewalPendingItem(
        *keys.renewal_pending(enrollment.tenant_id, course_id=enrollment.course.id, renewed_id=enrollment.id),
        created_at=clock.now_iso(),
        tenant_id=enrollment.tenant_id,
        course_id=enrollment.course.id,
        course_name=enrollment.course.name,
        renewed_id=enrollment.id,
        user=enrollment.user,
        certificate_expires_at=enrollment.certificate_expires_at,
    )


@dataclass
class PendingResult:
    """What became of one pending person: ``renewed`` (``enrollment_id`` is the renewal), a refusal of
    ``rules.RENEWAL_REFUSALS`` (``enrollment_id`` the one in the way) or ``failed`` (``message`` says why);
    ``pending`` whether they still wait."""

    item: RenewalPendingItem
    result: str
    enrollment_id: str | None = None
    message: str = ""
    pending: bool = True


@dataclass
class PendingRenewal:
    """The results of one pass over pending renewals, and how many were left untried (past ``limit``)."""

    results: list[PendingResult] = field(default_factory=list)
    untried: int = 0

    def counts(self) -> Counter:
        return Counter(result.result for result in self.results)


@storage_errors_as_domain_errors
def renewals_pending_renew(
    *,
    tenant_id: str,
    author: Author,
    course_id: str | None = None,
    renewed_ids: list[str] | None = None,
    limit: int | None = None,
) -> PendingRenewal:
    """Renew the company's pending people (of one course; only ``renewed_ids``, the certificates, when given) while
    seats last, the soonest expiry first; return what became of each (at most ``limit`` tried).

    A renewal deletes its pending item in its own transaction. A person someone renewed or enrolled meanwhile
    (already renewed, an active enrollment) no longer waits: their item is deleted, with an audit event on the
    certificate. Those without a seat wait on; a prepaid company's free seats are read once, so nobody is tried
    once a course has none. Safe to run twice at once: a certificate is renewed once (its renewal's id is fixed).
    """
    company = selectors.company_get(tenant_id)
    waiting = pending_selectors.renewals_pending(tenant_id, course_id=course_id)
    if renewed_ids is not None:
        wanted = set(renewed_ids)
        waiting = [item for item in waiting if item.renewed_id in wanted]
    seats = selectors.seats_left_by_course(tenant_id=tenant_id) if company.billing == rules.PREPAID else None
    outcome = PendingRenewal()
    tried: list[RenewalPendingItem] = []
    for item in waiting:
        if seats is not None and seats.get(item.course_id, 0) <= 0:
            outcome.results.append(PendingResult(item, rules.NO_SEAT))
        elif limit is not None and len(tried) >= limit:
            outcome.untried += 1
        else:
            tried.append(item)
    certificates = renewal_selectors.certificates_by_id(item.renewed_id for item in tried)
    for item in tried:
        if seats is not None and seats.get(item.course_id, 0) <= 0:
            outcome.results.append(PendingResult(item, rules.NO_SEAT))
            continue
        result = _renew_pending(item, certificates.get(item.renewed_id), author=author)
        outcome.results.append(result)
        if seats is not None and result.result == RENEWED:
            seats[item.course_id] -= 1
        elif seats is not None and result.result == rules.NO_SEAT:
            seats[item.course_id] = 0
    return outcome


def _renew_pending(item: RenewalPendingItem, certificate: EnrollmentItem | None, *, author: Author) -> PendingResult:
    if certificate is None:
        _pending_drop(item, reason="the enrollment no longer exists", author=author)
        return PendingResult(item, FAILED, pending=False, message="")
    try:
        renewal = renewal_enroll(renewed=certificate, author=author, source=AUTO_RENEWAL_SOURCE)
    except RenewalRefused as refused:
        if refused.reason in _NO_LONGER_PENDING:
            _pending_drop(item, reason=not_renewed(refused.reason), author=author, detail=refused.enrollment_id)
            return PendingResult(item, refused.reason, refused.enrollment_id, pending=False)
        return PendingResult(item, refused.reason, refused.enrollment_id)
    except (StorageUnavailable, ConcurrentChange):
        raise
    except EnrollmentError as error:  # a retired course, a CPF of another person: staff must look
        return PendingResult(item, FAILED, message=error.message)
    return PendingResult(item, RENEWED, renewal.id, pending=False)


def _pending_drop(item: RenewalPendingItem, *, reason: str, author: Author, detail: str | None = None) -> None:
    """Delete a pending item whose person no longer waits, with the audit event on the certificate; nothing if it is
    gone already (someone renewed them meanwhile)."""
    tx = Transaction()
    tx.delete(item, condition=RenewalPendingItem.sk.exists(), name="pending")
    tx.put(
        audit_event(
            enrollment_id=item.renewed_id,
            at=clock.now(),
            action=RENEWAL_PENDING_DROPPED,
            author=author,
            reason=reason,
            source=AUTO_RENEWAL_SOURCE,
            detail=renewed_by(detail) if detail else RENEWAL_WINDOW,
        )
    )
    try:
        tx.commit()
    except TransactionFailed:
        pass


@storage_errors_as_domain_errors
def renewals_pending_on_seats(*, tenant_id: str, course_id: str) -> Counter:
    """Renew the company's people pending in the course while its seats last, when seats arrived (an order), if
    the company still renews the course automatically; return how many came to each result."""
    company = selectors.company_get(tenant_id)
    if not rules.auto_renews(company, course_id):
        return Counter()
    return renewals_pending_renew(tenant_id=tenant_id, course_id=course_id, author=SYSTEM).counts()


@dataclass
class ScheduleReport:
    """What ``renewals_schedule`` did for one company."""

    scheduled: int = 0
    already: int = 0
    certificates: int = 0


# What the backfill reads of each enrollment.
_SCHEDULE_ATTRIBUTES = [
    "id",
    "sk",
    "kind",
    "tenant_id",
    "tenant_sk",
    "user",
    "course",
    "status",
    "certificate_expires_at",
]


@storage_errors_as_domain_errors
def renewals_schedule(*, tenant_id: str) -> ScheduleReport:
    """Write the ``renewal_window`` record of each certificate of the company (COMPLETED, with an expiry) that has
    none: those completed before the records existed. Idempotent: a record that exists is left as it is (done or
    not); a certificate archived meanwhile gets none. Reads the company's ``by_tenant`` shards once.
    """
    windows = {course.id: rules.renewal_window_days(course) for course in selectors.course_list()}
    report = ScheduleReport()
    now = clock.now()
    for enrollment in selectors.company_enrollments(tenant_id, attributes=_SCHEDULE_ATTRIBUTES):
        if enrollment.status != rules.COMPLETED or not enrollment.certificate_expires_at:
            continue
        report.certificates += 1
        window = windows.get(enrollment.course.id) or rules.renewal_window_days(None)
        record = renewal_window_record(
            enrollment=enrollment,
            certificate_expires_at=clock.from_iso(enrollment.certificate_expires_at),
            window_days=window,
            now=now,
        )
        tx = Transaction()
        tx.put(record, condition=LifecycleRecordItem.sk.does_not_exist(), name="record")
        tx.check(
            EnrollmentItem,
            *keys.enrollment(enrollment.id),
            condition=EnrollmentItem.status == rules.COMPLETED,
            name="enrollment",
        )
        try:
            tx.commit()
        except TransactionFailed:
            report.already += 1
            continue
        report.scheduled += 1
    return report
