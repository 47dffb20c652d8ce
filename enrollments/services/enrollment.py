"""Enroll a person into a course, and cancel an enrollment."""

import hashlib
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo.models import (
    CancelPolicyItem,
    CanceledDateItem,
    CompanyItem,
    CourseAttribute,
    CourseItem,
    DeduplicationWindowItem,
    EnrollmentItem,
    GeneratedItem,
    LockItem,
    LockMetadataItem,
    OrderItem,
    ParentVacancyItem,
    PersonAttribute,
    TenantMetadataItem,
    UserItem,
    VacancyItem,
)
from ..exceptions import (
    ConcurrentChange,
    DeduplicationConflict,
    EnrollmentAlreadyExists,
    InvalidEnrollmentData,
    NotCancelable,
    NoVacancyLeft,
    StorageUnavailable,
)
from ..validators import normalize_cpf, normalize_email
from .common import Author, audit_event
from .lifecycle import enrollment_schedule, lifecycle_record
from .transactions import Transaction, TransactionFailed, storage_errors_as_domain_errors

PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
EXPIRED = "EXPIRED"
ARCHIVED = "ARCHIVED"
CANCELED = "CANCELED"
TERMINAL_STATES = (CANCELED, EXPIRED, ARCHIVED)

USED = "USED"
ROLLBACK = "ROLLBACK"


@dataclass(frozen=True)
class Person:
    """The person to enroll, as staff typed it or a file gave it."""

    name: str
    email: str
    cpf: str | None = None


def lock_hash(*, user_id: str, course_id: str) -> str:
    """Return the key of the deduplication lock of a person in a course (the original rule)."""
    return hashlib.md5(f"{user_id}{course_id}".encode()).hexdigest()


def clean_person(person: Person) -> Person:
    """Return the person with a name, a normalised email and CPF, or raise ``InvalidEnrollmentData``."""
    name = (person.name or "").strip()
    if not name:
        raise InvalidEnrollmentData(_("The person needs a name."), field="name")
    try:
        email = normalize_email(person.email)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="email")
    try:
        cpf = normalize_cpf(person.cpf)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="cpf")
    return Person(name=name, email=email, cpf=cpf)


def check_window(days: int | None, course: CourseItem) -> None:
    """Raise ``InvalidEnrollmentData`` unless ``days`` is a window the course allows (imports check rows with it too)."""
    if days is None:
        return
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days < course.access_period_days:
        raise InvalidEnrollmentData(
            _("The deduplication window must be a whole number of days from 0 to %(max)s (the course's access period is %(period)s days).")
            % {"max": course.access_period_days - 1, "period": course.access_period_days},
            field="deduplication_window_days",
        )


@storage_errors_as_domain_errors
def enroll(
    *,
    tenant_id: str,
    course_id: str,
    user: Person,
    author: Author,
    deduplication_window_days: int | None = None,
    source: str = "form",
    enrollment_id: str | None = None,
) -> EnrollmentItem:
    """Enroll ``user`` into a course for a company, in one DynamoDB transaction.

    Writes the enrollment, its tenant metadata, its lifecycle records, its cancel
    policy and an audit event; with a window, the deduplication lock; for a prepaid
    company, one seat taken from its orders. ``enrollment_id`` makes a retried call
    idempotent: the second one raises ``EnrollmentAlreadyExists``.
    """
    person = clean_person(user)
    company = selectors.get_company(tenant_id)
    if company is None:
        raise InvalidEnrollmentData(_("There is no company %(id)s.") % {"id": tenant_id}, field="tenant_id")
    course = selectors.get_course(course_id)
    if course is None:
        raise InvalidEnrollmentData(_("There is no course %(id)s.") % {"id": course_id}, field="course_id")
    check_window(deduplication_window_days, course)

    seats = _SeatCandidates(tenant_id=tenant_id, course_id=course_id) if company.billing == "prepaid" else None
    return commit_enrollment(
        enrollment_id=enrollment_id or str(uuid.uuid4()), person=person, company=company, course=course, author=author,
        window_days=deduplication_window_days, source=source, users=_UsersByRead(), seats=seats,
    )


class _UsersByRead:
    """Read the person's user item before every attempt (one enrollment at a time)."""

    def get(self, email: str) -> UserItem | None:
        return selectors.get_user_by_email(email)

    def forget(self, email: str) -> None:
        pass


class _SeatCandidates:
    """Free seats of one course at one company, fetched when the last candidate is used."""

    def __init__(self, *, tenant_id: str, course_id: str):
        self.tenant_id, self.course_id = tenant_id, course_id
        self._candidates: list[VacancyItem] = []

    def take(self) -> VacancyItem | None:
        if not self._candidates:
            self._candidates = selectors.free_seats(tenant_id=self.tenant_id, course_id=self.course_id)
            if not self._candidates:
                return None
        # A random pick keeps concurrent enrollments off the same seat.
        return self._candidates.pop(random.randrange(len(self._candidates)))

    def release(self, seat: VacancyItem) -> None:
        self._candidates.append(seat)


class UserSource(Protocol):
    def get(self, email: str) -> UserItem | None: ...
    def forget(self, email: str) -> None: ...


class SeatSource(Protocol):
    def take(self) -> VacancyItem | None: ...
    def release(self, seat: VacancyItem) -> None: ...


def commit_enrollment(
    *, enrollment_id: str, person: Person, company: CompanyItem, course: CourseItem, author: Author,
    window_days: int | None, source: str, users: UserSource, seats: SeatSource | None,
) -> EnrollmentItem:
    """Write one enrollment of a validated ``person``, retrying while concurrent changes win the race.

    ``users`` answers whether the person's user item exists (and forgets an answer a
    failed attempt proved wrong); ``seats`` hands out a seat per attempt for a prepaid
    company and takes back the seats an attempt did not consume. ``enroll`` reads both
    one at a time; imports prefetch them per chunk. Both write exactly the items of
    ``_enroll_transaction``.
    """
    for attempt in range(settings.ENROLL_SEAT_ATTEMPTS):
        existing_user = users.get(person.email)
        seat = None
        if company.billing == "prepaid":
            seat = seats.take()
            if seat is None:
                raise NoVacancyLeft(company_name=company.name, course_name=course.name)
        tx, enrollment = _enroll_transaction(
            enrollment_id=enrollment_id, person=person, existing_user=existing_user, company=company, course=course,
            author=author, window_days=window_days, source=source, seat=seat, now=clock.now(),
        )
        try:
            tx.commit()
            return enrollment
        except StorageUnavailable:
            if seat is not None:
                seats.release(seat)
            raise
        except TransactionFailed as failure:
            if seat is not None and "seat" not in failure.failed:
                # The seat is still free: another attempt, or another person, may take it.
                seats.release(seat)
            if "enrollment" in failure.failed:
                raise EnrollmentAlreadyExists(enrollment_id)
            if "lock" in failure.failed:
                lock = selectors.get_lock(lock_hash(user_id=enrollment.user.id, course_id=course.sk))
                if lock is not None and lock.expires_at > to_iso(clock.now()):
                    raise DeduplicationConflict(enrollment_id=lock.enrollment_id, lifts_at=clock.from_iso(lock.expires_at))
            if "user" in failure.failed:
                users.forget(person.email)
            # Otherwise a concurrent change took the seat, created the user or freed the lock: try again.
        _backoff(attempt)
    raise ConcurrentChange(_("Too many enrollments into the same seats at once; nothing was written, try again."))


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))


def _enroll_transaction(
    *, enrollment_id: str, person: Person, existing_user: UserItem | None, company, course: CourseItem,
    author: Author, window_days: int | None, source: str, seat: VacancyItem | None, now: datetime,
) -> tuple[Transaction, EnrollmentItem]:
    now_iso = to_iso(now)
    tx = Transaction()
    if existing_user is None:
        user_item = UserItem(
            id=selectors.user_pk(person.email), sk="0", created_at=now_iso, user_id=str(uuid.uuid4()),
            name=person.name, email=person.email, cpf=person.cpf,
        )
        tx.put(user_item, condition=UserItem.id.does_not_exist(), name="user")
    else:
        user_item = existing_user
    access_ends = now + timedelta(days=course.access_period_days)
    enrollment = EnrollmentItem(
        id=enrollment_id, sk="0", created_at=now_iso, updated_at=now_iso,
        tenant_id=company.sk, tenant_name=company.name,
        user=PersonAttribute(id=user_item.user_id, name=person.name, email=person.email, cpf=person.cpf or user_item.cpf),
        course=CourseAttribute(id=course.sk, name=course.name, access_period_days=course.access_period_days,
                               certificate_validity_days=course.certificate_validity_days),
        status=PENDING, source=source, created_by=author.as_attribute(), access_expires_at=to_iso(access_ends),
        tenant_pk=company.sk, tenant_sk=f"{now_iso}#{enrollment_id}",
        email_pk=person.email, email_sk=f"{now_iso}#{enrollment_id}",
        **selectors.enrollment_list_keys(enrollment_id=enrollment_id, tenant_id=company.sk, course_id=course.sk,
                                         cpf=person.cpf or user_item.cpf),
    )
    tx.put(enrollment, condition=EnrollmentItem.id.does_not_exist(), name="enrollment")
    tx.put(TenantMetadataItem(id=enrollment_id, sk="metadata#tenant", created_at=now_iso, tenant_id=company.sk, name=company.name))
    for event, due_at in enrollment_schedule(access_period_days=course.access_period_days, enrolled_at=now).items():
        tx.put(lifecycle_record(enrollment=enrollment, event=event, due_at=due_at, now=now))
    tx.put(CancelPolicyItem(id=enrollment_id, sk="cancel_policy", created_at=now_iso))
    tx.put(audit_event(enrollment_id=enrollment_id, at=now, action="ENROLLED", author=author, source=source))

    key = lock_hash(user_id=user_item.user_id, course_id=course.sk)
    # A lock is free when absent or expired: TTL deletes expired items up to days late.
    lock_is_free = LockItem.sk.does_not_exist() | (LockItem.expires_at <= now_iso)
    if window_days is None:
        tx.check(LockItem, "lock", key, condition=lock_is_free, name="lock")
    else:
        lock_expires = now + timedelta(days=course.access_period_days - window_days)
        expires_iso, ttl = to_iso(lock_expires), int(lock_expires.timestamp())
        tx.put(LockItem(id="lock", sk=key, created_at=now_iso, enrollment_id=enrollment_id, expires_at=expires_iso, ttl=ttl),
               condition=lock_is_free, name="lock")
        tx.put(LockMetadataItem(id=enrollment_id, sk="metadata#lock", created_at=now_iso, hash=key, expires_at=expires_iso, ttl=ttl))
        tx.put(DeduplicationWindowItem(id=enrollment_id, sk="metadata#deduplication_window", created_at=now_iso, days=window_days))

    if seat is not None:
        tx.delete(seat, condition=VacancyItem.sk.exists(), name="seat")
        tx.put(ParentVacancyItem(id=enrollment_id, sk="parent_vacancy", created_at=now_iso,
                                 vacancy_pk=seat.id, vacancy_sk=seat.sk, order_id=seat.order_id))
        tx.put(GeneratedItem(order_id=seat.order_id, sk=f"generated_items#{enrollment_id}", created_at=now_iso,
                             enrollment_id=enrollment_id, status=USED, vacancy_sk=seat.sk, updated_at=now_iso),
               condition=GeneratedItem.sk.does_not_exist(), name="generated_item")
    return tx, enrollment


def cancel_refusal(partition: selectors.EnrollmentPartition) -> str | None:
    """Return why the enrollment cannot be canceled, in words for staff, or ``None`` when it can."""
    enrollment = partition.enrollment
    if enrollment.status == CANCELED:
        return _("Enrollment %(id)s is already canceled.") % {"id": enrollment.id}
    if enrollment.status in TERMINAL_STATES:
        return _("Enrollment %(id)s is %(status)s and can no longer be canceled.") % {"id": enrollment.id, "status": enrollment.status}
    if partition.cancel_policy is None:
        return _("Enrollment %(id)s can no longer be canceled: the learner has already accessed the course.") % {"id": enrollment.id}
    return None


@storage_errors_as_domain_errors
def cancel(*, enrollment_id: str, reason: str, author: Author) -> EnrollmentItem:
    """Cancel an enrollment, in one DynamoDB transaction.

    Marks it CANCELED, records who canceled and why, removes every lifecycle record
    it has and the lock it holds, and gives its seat back to the order.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidEnrollmentData(_("A cancel needs a reason."), field="reason")
    for attempt in range(settings.ENROLL_SEAT_ATTEMPTS):
        partition = selectors.enrollment_partition(enrollment_id)
        enrollment = partition.enrollment
        refusal = cancel_refusal(partition)
        if refusal:
            raise NotCancelable(refusal)
        try:
            _cancel_transaction(partition, reason=reason, author=author, now=clock.now()).commit()
        except TransactionFailed as failure:
            if failure.failed & {"order", "generated_item"}:
                raise NotCancelable(
                    _("The order of enrollment %(id)s's seat no longer exists, so the seat cannot be returned.") % {"id": enrollment_id}
                )
            # A concurrent change (another cancel, a first access) won: read again and decide.
            _backoff(attempt)
            continue
        enrollment.status = CANCELED
        return enrollment
    raise ConcurrentChange()


def _cancel_transaction(partition: selectors.EnrollmentPartition, *, reason: str, author: Author, now: datetime) -> Transaction:
    enrollment = partition.enrollment
    now_iso = to_iso(now)
    tx = Transaction()
    tx.update(
        enrollment,
        [EnrollmentItem.status.set(CANCELED), EnrollmentItem.canceled_at.set(now_iso), EnrollmentItem.updated_at.set(now_iso)],
        condition=EnrollmentItem.status == enrollment.status,
        name="enrollment",
    )
    tx.put(CanceledDateItem(id=enrollment.id, sk="canceled_date", created_at=now_iso, author=author.as_attribute(), reason=reason),
           condition=CanceledDateItem.sk.does_not_exist(), name="canceled_date")
    tx.delete(partition.cancel_policy, condition=CancelPolicyItem.sk.exists(), name="cancel_policy")
    for record in partition.schedules:
        tx.delete(record)
    if partition.lock_metadata is not None:
        tx.delete(partition.lock_metadata)
        # The lock may have expired and been taken by a later enrollment: only remove our own.
        lock = selectors.get_lock(partition.lock_metadata.hash)
        if lock is not None and lock.enrollment_id == enrollment.id:
            tx.delete(lock, condition=LockItem.enrollment_id == enrollment.id)
    vacancy = partition.parent_vacancy
    if vacancy is not None:
        tx.delete(vacancy, condition=ParentVacancyItem.sk.exists(), name="parent_vacancy")
        tx.put(VacancyItem(id=vacancy.vacancy_pk, sk=f"{vacancy.order_id}#{uuid.uuid4()}", created_at=now_iso,
                           course_id=enrollment.course.id, order_id=vacancy.order_id),
               condition=VacancyItem.sk.does_not_exist(), name="seat")
        tx.check(OrderItem, vacancy.order_id, "0", condition=OrderItem.order_id.exists(), name="order")
        generated = GeneratedItem(order_id=vacancy.order_id, sk=f"generated_items#{enrollment.id}")
        tx.update(generated, [GeneratedItem.status.set(ROLLBACK), GeneratedItem.updated_at.set(now_iso)],
                  condition=GeneratedItem.sk.exists(), name="generated_item")
    tx.put(audit_event(enrollment_id=enrollment.id, at=now, action="CANCELED", author=author, reason=reason))
    return tx
