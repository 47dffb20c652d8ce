"""Enroll a person into a course, and cancel an enrollment."""

import random
import uuid
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveEnrollmentsItem,
    CanceledDateItem,
    CancelPolicyItem,
    CompanyItem,
    CourseAttribute,
    CourseItem,
    CpfOwnerItem,
    DeduplicationWindowItem,
    EnrollmentItem,
    GeneratedItem,
    LifecycleRecordItem,
    LockItem,
    LockMetadataItem,
    OrderItem,
    ParentVacancyItem,
    PersonAttribute,
    TenantMetadataItem,
    UserItem,
    VacancyItem,
)
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import (
    ActiveEnrollmentExists,
    ConcurrentChange,
    CpfBelongsToAnotherPerson,
    DeduplicationConflict,
    EmailHasAnotherCpf,
    EnrollmentAlreadyExists,
    InvalidEnrollmentData,
    NotCancelable,
    NoVacancyLeft,
)
from ..rules import (
    CANCELED,
    PENDING,
    PREPAID,
    SEAT_ROLLBACK,
    SEAT_USED,
    Person,
    cancel_notice_schedule,
    cancel_refusal,
    check_course_open,
    check_window,
    clean_person,
    enrollment_schedule,
)
from .common import Author, audit_event, leave_active
from .lifecycle import lifecycle_record
from .name_index import name_word_items


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
    welcome: bool = True,
    enroll_again: bool = False,
    as_cpf_owner: bool = False,
) -> EnrollmentItem:
    """Enroll ``user`` into a course for a company, in one DynamoDB transaction.

    Writes the enrollment, its tenant metadata, its lifecycle records (with
    ``welcome``, the welcome email due at once), its cancel policy and an audit
    event; with a window, the deduplication lock; for a prepaid company, one seat
    taken from its orders. ``enrollment_id`` makes a retried call idempotent: the
    second one raises ``EnrollmentAlreadyExists``.

    One person per CPF: a CPF that belongs to a person with another email raises
    ``CpfBelongsToAnotherPerson``, unless ``as_cpf_owner``: then that person is
    enrolled. Without a window, a person with an active enrollment in the course
    raises ``ActiveEnrollmentExists`` unless ``enroll_again``.
    """
    person = clean_person(user)
    if as_cpf_owner and person.cpf:
        owner = selectors.cpf_owner_find(person.cpf)
        if owner is not None:
            person = Person(name=owner.name, email=owner.email, cpf=person.cpf)
    company = selectors.company_get(tenant_id)
    course = selectors.course_get(course_id)
    check_course_open(course)
    check_window(deduplication_window_days, course)

    seats = _SeatCandidates(tenant_id=tenant_id, course_id=course_id) if company.billing == PREPAID else None
    return commit_enrollment(
        enrollment_id=enrollment_id or str(uuid.uuid4()),
        person=person,
        company=company,
        course=course,
        author=author,
        window_days=deduplication_window_days,
        source=source,
        users=_UsersByRead(),
        seats=seats,
        welcome=welcome,
        enroll_again=enroll_again,
    )


class _UsersByRead:
    """Read the person's user item before every attempt (one enrollment at a time)."""

    def get(self, email: str) -> UserItem | None:
        return selectors.user_find(email)

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

    def settle(self, seat: VacancyItem) -> None:
        pass


class UserSource(Protocol):
    def get(self, email: str) -> UserItem | None: ...
    def forget(self, email: str) -> None: ...


class SeatSource(Protocol):
    """Hands out free seats. Every seat taken comes back once: ``release`` when the attempt left it free,
    ``settle`` when it is gone (this enrollment consumed it, or another one did first)."""

    def take(self) -> VacancyItem | None: ...
    def release(self, seat: VacancyItem) -> None: ...
    def settle(self, seat: VacancyItem) -> None: ...


def commit_enrollment(
    *,
    enrollment_id: str,
    person: Person,
    company: CompanyItem,
    course: CourseItem,
    author: Author,
    window_days: int | None,
    source: str,
    users: UserSource,
    seats: SeatSource | None,
    welcome: bool = True,
    enroll_again: bool = False,
) -> EnrollmentItem:
    """Write one enrollment of a validated ``person``, retrying while concurrent changes win the race.

    ``users`` answers whether the person's user item exists (and forgets an answer a
    failed attempt proved wrong); ``seats`` hands out a seat per attempt for a prepaid
    company and hears back from each (``release``: still free; ``settle``: gone). ``enroll`` reads both
    one at a time; imports prefetch them per chunk. Both write exactly the items of
    ``_enroll_transaction``.
    """
    for _attempt in attempts(settings.ENROLL_SEAT_ATTEMPTS, first_pause=0.005):
        existing_user = users.get(person.email)
        if existing_user is not None and existing_user.cpf and person.cpf and existing_user.cpf != person.cpf:
            raise EmailHasAnotherCpf(email=person.email, owner_name=existing_user.name, owner_cpf=existing_user.cpf)
        seat = None
        if company.billing == PREPAID:
            seat = seats.take()
            if seat is None:
                raise NoVacancyLeft(company_name=company.name, course_name=course.name)
        tx, enrollment = _enroll_transaction(
            enrollment_id=enrollment_id,
            person=person,
            existing_user=existing_user,
            company=company,
            course=course,
            author=author,
            window_days=window_days,
            source=source,
            seat=seat,
            now=clock.now(),
            welcome=welcome,
            enroll_again=enroll_again,
        )
        try:
            tx.commit()
        except TransactionFailed as failure:
            if seat is not None and "seat" in failure.failed:
                seats.settle(seat)  # another enrollment took it first
            elif seat is not None:
                seats.release(seat)  # still free: another attempt, or another person, may take it
            if "enrollment" in failure.failed:
                raise EnrollmentAlreadyExists(enrollment_id) from None
            if "lock" in failure.failed:
                lock = selectors.lock_find(keys.lock_hash(user_id=enrollment.user.id, course_id=course.id))
                if lock is not None and lock.expires_at > to_iso(clock.now()):
                    raise DeduplicationConflict(
                        enrollment_id=lock.enrollment_id, lifts_at=clock.from_iso(lock.expires_at)
                    ) from None
            if "cpf" in failure.failed:
                owner = selectors.cpf_owner_find(enrollment.user.cpf)
                if owner is not None and owner.email != person.email:
                    raise CpfBelongsToAnotherPerson(
                        cpf=enrollment.user.cpf, owner_name=owner.name, owner_email=owner.email
                    ) from None
            if "active" in failure.failed:
                active = selectors.active_enrollment_ids(user_id=enrollment.user.id, course_id=course.id)
                if active:
                    raise ActiveEnrollmentExists(enrollment_id=min(active), name=person.name) from None
            if failure.failed & {"user", "cpf"}:
                users.forget(person.email)
            # Otherwise a concurrent change took the seat, created the user or freed the lock: try again.
        except BaseException:
            if seat is not None:
                seats.release(seat)  # nothing was written (DynamoDB did not answer, or the commit was interrupted)
            raise
        else:
            if seat is not None:
                seats.settle(seat)
            return enrollment
    raise ConcurrentChange(_("Too many enrollments into the same seats at once; nothing was written, try again."))


def _enroll_transaction(
    *,
    enrollment_id: str,
    person: Person,
    existing_user: UserItem | None,
    company,
    course: CourseItem,
    author: Author,
    window_days: int | None,
    source: str,
    seat: VacancyItem | None,
    now: datetime,
    welcome: bool = True,
    enroll_again: bool = False,
) -> tuple[Transaction, EnrollmentItem]:
    now_iso = to_iso(now)
    tx = Transaction()
    if existing_user is None:
        user_item = UserItem(
            *keys.user(person.email),
            created_at=now_iso,
            user_id=str(uuid.uuid4()),
            name=person.name,
            email=person.email,
            cpf=person.cpf,
        )
        tx.put(user_item, condition=UserItem.id.does_not_exist(), name="user")
    else:
        user_item = existing_user
    cpf = person.cpf or user_item.cpf
    if cpf:
        # One person per CPF: the CPF is this person's, or nobody's yet.
        tx.update(
            CpfOwnerItem(*keys.cpf_owner(cpf)),
            [
                CpfOwnerItem.user_id.set(user_item.user_id),
                CpfOwnerItem.email.set(user_item.email),
                CpfOwnerItem.name.set(user_item.name),
                CpfOwnerItem.created_at.set(CpfOwnerItem.created_at | now_iso),
            ],
            condition=CpfOwnerItem.user_id.does_not_exist() | (CpfOwnerItem.user_id == user_item.user_id),
            name="cpf",
        )
        if existing_user is not None and not existing_user.cpf:
            tx.update(existing_user, [UserItem.cpf.set(cpf)], condition=UserItem.cpf.does_not_exist(), name="user")
    access_ends = now + timedelta(days=course.access_period_days)
    enrollment = EnrollmentItem(
        *keys.enrollment(enrollment_id),
        created_at=now_iso,
        updated_at=now_iso,
        tenant_id=company.id,
        tenant_name=company.name,
        user=PersonAttribute(id=user_item.user_id, name=person.name, email=person.email, cpf=cpf),
        course=CourseAttribute(
            id=course.id,
            name=course.name,
            access_period_days=course.access_period_days,
            certificate_validity_days=course.certificate_validity_days,
        ),
        status=PENDING,
        source=source,
        created_by=author.as_attribute(),
        access_expires_at=to_iso(access_ends),
        **keys.enrollment_index_keys(
            enrollment_id=enrollment_id,
            created_at=now_iso,
            tenant_id=company.id,
            course_id=course.id,
            email=person.email,
            cpf=cpf,
        ),
    )
    tx.put(enrollment, condition=EnrollmentItem.id.does_not_exist(), name="enrollment")
    for word_item in name_word_items(enrollment):
        tx.put(word_item)
    tx.put(
        TenantMetadataItem(
            *keys.tenant_metadata(enrollment_id), created_at=now_iso, tenant_id=company.id, name=company.name
        )
    )
    schedule = enrollment_schedule(access_period_days=course.access_period_days, enrolled_at=now, welcome=welcome)
    for event, due_at in schedule.items():
        tx.put(lifecycle_record(enrollment=enrollment, event=event, due_at=due_at, now=now))
    tx.put(CancelPolicyItem(*keys.cancel_policy(enrollment_id), created_at=now_iso))
    tx.put(audit_event(enrollment_id=enrollment_id, at=now, action="ENROLLED", author=author, source=source))
    # Without a window, a second active enrollment of the person in the course needs staff's "enroll again".
    active = ActiveEnrollmentsItem(*keys.active_enrollments(user_id=user_item.user_id, course_id=course.id))
    needs_none = window_days is None and not enroll_again
    tx.update(
        active,
        [ActiveEnrollmentsItem.enrollment_ids.add({enrollment_id})],
        condition=ActiveEnrollmentsItem.enrollment_ids.does_not_exist() if needs_none else None,
        name="active",
    )

    key = keys.lock(keys.lock_hash(user_id=user_item.user_id, course_id=course.id))
    # A lock is free when absent or expired: TTL deletes expired items up to days late.
    lock_is_free = LockItem.sk.does_not_exist() | (LockItem.expires_at <= now_iso)
    if window_days is None:
        tx.check(LockItem, *key, condition=lock_is_free, name="lock")
    else:
        lock_expires = now + timedelta(days=course.access_period_days - window_days)
        expires_iso, ttl = to_iso(lock_expires), int(lock_expires.timestamp())
        tx.put(
            LockItem(*key, created_at=now_iso, enrollment_id=enrollment_id, expires_at=expires_iso, ttl=ttl),
            condition=lock_is_free,
            name="lock",
        )
        tx.put(
            LockMetadataItem(
                *keys.lock_metadata(enrollment_id), created_at=now_iso, hash=key.sk, expires_at=expires_iso, ttl=ttl
            )
        )
        tx.put(DeduplicationWindowItem(*keys.deduplication_window(enrollment_id), created_at=now_iso, days=window_days))

    if seat is not None:
        tx.delete(seat, condition=VacancyItem.sk.exists(), name="seat")
        use = keys.generated_item(seat.order_id, enrollment_id)
        tx.put(
            ParentVacancyItem(
                *keys.parent_vacancy(enrollment_id),
                created_at=now_iso,
                vacancy_pk=seat.id,
                vacancy_sk=seat.sk,
                order_id=seat.order_id,
                use_pk=use.pk,
            )
        )
        tx.put(
            GeneratedItem(
                *use,
                created_at=now_iso,
                enrollment_id=enrollment_id,
                status=SEAT_USED,
                vacancy_sk=seat.sk,
                updated_at=now_iso,
            ),
            condition=GeneratedItem.sk.does_not_exist(),
            name="generated_item",
        )
    return tx, enrollment


@storage_errors_as_domain_errors
def cancel(
    *, enrollment_id: str, reason: str, author: Author, notify_learner: bool = True, source: str | None = None
) -> EnrollmentItem:
    """Cancel an enrollment, in one DynamoDB transaction.

    Marks it CANCELED, records who canceled and why, removes every lifecycle record
    it has and the lock it holds, and gives its seat back to the order. With
    ``notify_learner``, a cancel notice to the learner is due at once. ``source`` goes
    on the audit event (a bulk cancel names its job: its retry knows its own cancels).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidEnrollmentData(_("A cancel needs a reason."), field="reason")
    for _attempt in attempts(settings.ENROLL_SEAT_ATTEMPTS, first_pause=0.005):
        partition = selectors.enrollment_partition(enrollment_id)
        enrollment = partition.enrollment
        refusal = cancel_refusal(partition)
        if refusal:
            raise NotCancelable(refusal)
        try:
            _cancel_transaction(
                partition, reason=reason, author=author, now=clock.now(), notify_learner=notify_learner, source=source
            ).commit()
        except TransactionFailed as failure:
            if failure.failed & {"order", "generated_item"}:
                raise NotCancelable(
                    _("The order of enrollment %(id)s's seat no longer exists, so the seat cannot be returned.")
                    % {"id": enrollment_id}
                ) from None
            # A concurrent change (another cancel, a first access) won: read again and decide.
            continue
        enrollment.status = CANCELED
        return enrollment
    raise ConcurrentChange()


def _cancel_transaction(
    partition: selectors.EnrollmentPartition,
    *,
    reason: str,
    author: Author,
    now: datetime,
    notify_learner: bool,
    source: str | None = None,
) -> Transaction:
    enrollment = partition.enrollment
    now_iso = to_iso(now)
    tx = Transaction()
    tx.update(
        enrollment,
        [
            EnrollmentItem.status.set(CANCELED),
            EnrollmentItem.canceled_at.set(now_iso),
            EnrollmentItem.updated_at.set(now_iso),
        ],
        condition=EnrollmentItem.status == enrollment.status,
        name="enrollment",
    )
    tx.put(
        CanceledDateItem(
            *keys.canceled_date(enrollment.id), created_at=now_iso, author=author.as_attribute(), reason=reason
        ),
        condition=CanceledDateItem.sk.does_not_exist(),
        name="canceled_date",
    )
    tx.delete(partition.cancel_policy, condition=CancelPolicyItem.sk.exists(), name="cancel_policy")
    for record in partition.schedules:
        tx.delete(record)
    leave_active(tx, enrollment)
    if notify_learner:
        for event, due_at in cancel_notice_schedule(canceled_at=now).items():
            # A cancel happens once (the status condition above), so no earlier notice can be in the way.
            tx.put(
                lifecycle_record(enrollment=enrollment, event=event, due_at=due_at, now=now),
                condition=LifecycleRecordItem.sk.does_not_exist(),
            )
    if partition.lock_metadata is not None:
        tx.delete(partition.lock_metadata)
        # The lock may have expired and been taken by a later enrollment: only remove our own.
        lock = selectors.lock_find(partition.lock_metadata.hash)
        if lock is not None and lock.enrollment_id == enrollment.id:
            tx.delete(lock, condition=LockItem.enrollment_id == enrollment.id)
    vacancy = partition.parent_vacancy
    if vacancy is not None:
        tx.delete(vacancy, condition=ParentVacancyItem.sk.exists(), name="parent_vacancy")
        seat = keys.vacancy(enrollment.tenant_id, order_id=vacancy.order_id, seat_id=str(uuid.uuid4()))
        tx.put(
            VacancyItem(*seat, created_at=now_iso, course_id=enrollment.course.id, order_id=vacancy.order_id),
            condition=VacancyItem.sk.does_not_exist(),
            name="seat",
        )
        tx.check(OrderItem, *keys.order(vacancy.order_id), condition=OrderItem.order_id.exists(), name="order")
        generated = GeneratedItem(*selectors.seat_use_key(vacancy))
        tx.update(
            generated,
            [GeneratedItem.status.set(SEAT_ROLLBACK), GeneratedItem.updated_at.set(now_iso)],
            condition=GeneratedItem.sk.exists(),
            name="generated_item",
        )
    tx.put(
        audit_event(enrollment_id=enrollment.id, at=now, action="CANCELED", author=author, reason=reason, source=source)
    )
    return tx
