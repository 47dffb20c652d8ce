"""Enroll a person into a course: ``enroll`` for one, ``commit_enrollment`` for every writer of an enrollment."""

import uuid
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock, selectors
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.batches import batch_write
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import (
    ActiveEnrollmentsItem,
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
    ParentVacancyItem,
    PersonAttribute,
    RenewalPendingItem,
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
    NoVacancyLeft,
)
from ..rules import (
    ENROLLED_ACTION,
    PENDING,
    PREPAID,
    SEAT_USED,
    Person,
    check_course_open,
    check_window,
    clean_person,
    enrollment_schedule,
    renewal_detail,
)
from .common import Author, audit_event
from .enrollment_events import ENROLLMENT_CREATED, put_enrollment_events
from .lifecycle import scheduled_records
from .seats import SeatCandidates, SeatSource
from .side_items import SideItems, enrollment_side_items, put_side_item, side_items_settled


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
    renews: str | None = None,
) -> EnrollmentItem:
    """Enroll ``user`` into a course for a company, in one DynamoDB transaction.

    Writes the enrollment, its lifecycle records (with ``welcome``, the welcome
    email due at once) and its cancel policy (its ``ENROLLED`` audit event is read
    from the enrollment, and stored only for a staff member's enrollment: see
    ``_enroll_transaction``); with a window, the deduplication lock; for a prepaid
    company, one seat taken from its orders. Its side items (name words, tenant
    metadata) go just before, outside the transaction (``side_items``).
    ``enrollment_id`` makes a retried call idempotent: the second one raises
    ``EnrollmentAlreadyExists`` and writes nothing.

    One person per CPF: a CPF that belongs to a person with another email raises
    ``CpfBelongsToAnotherPerson``, unless ``as_cpf_owner``: then that person is
    enrolled. Without a window, a person with an active enrollment in the course
    raises ``ActiveEnrollmentExists`` unless ``enroll_again``.

    ``renews`` names the enrollment (a certificate) this one renews: stored on it, in its
    ``ENROLLED`` event's detail, and its welcome email is worded for a renewal ("reciclagem");
    the certificate's pending automatic renewal, if it waits for a seat, is deleted with it.
    Renewals go through ``renewals.services.renewal_enroll``, which picks the id.
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

    seats = SeatCandidates(tenant_id=tenant_id, course_id=course_id) if company.billing == PREPAID else None
    new = not enrollment_id
    enrollment_id = enrollment_id or str(uuid.uuid4())
    user_item = selectors.user_find(person.email)
    side = enrollment_side(
        enrollment_id=enrollment_id,
        person=person,
        user=user_item,
        company=company,
        course=course,
        author=author,
        source=source,
        now=clock.now(),
        welcome=welcome,
        renews=renews,
    )
    # Unless the caller chose the id, it is a fresh uuid4 that names no enrollment yet: nothing to read.
    side = put_side_item(side, new=new)
    return commit_enrollment(
        enrollment_id=enrollment_id,
        person=person,
        company=company,
        course=course,
        author=author,
        window_days=deduplication_window_days,
        source=source,
        users=_UsersByRead(first=(person.email, user_item)),
        seats=seats,
        welcome=welcome,
        enroll_again=enroll_again,
        renews=renews,
        side=side,
    )


class _UsersByRead:
    """Read the person's user item before every attempt (one enrollment at a time); the first attempt takes the
    answer read for the side items (``first``)."""

    def __init__(self, first: tuple[str, UserItem | None]):
        self._first: tuple[str, UserItem | None] | None = first

    def get(self, email: str) -> UserItem | None:
        first, self._first = self._first, None
        if first is not None and first[0] == email:
            return first[1]
        return selectors.user_find(email)

    def forget(self, email: str) -> None:
        pass


class UserSource(Protocol):
    def get(self, email: str) -> UserItem | None: ...
    def forget(self, email: str) -> None: ...


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
    side: SideItems,
    welcome: bool = True,
    enroll_again: bool = False,
    renews: str | None = None,
) -> EnrollmentItem:
    """Write one enrollment of a validated ``person``, retrying while concurrent changes win the race.

    ``users`` answers whether the person's user item exists (and forgets an answer a
    failed attempt proved wrong); ``seats`` hands out a seat per attempt for a prepaid
    company and hears back from each (``release``: still free; ``settle``: gone). ``enroll`` reads both
    one at a time; imports prefetch them per chunk. Both write exactly the items of
    ``_enroll_transaction``. ``side`` are the enrollment's side items, already put by the caller
    (``side_items.put_side_item``, or ``put_side_items`` for an import's rows at once), with the
    instant the enrollment is written at; a refused enrollment's are settled here.
    """
    now = side.now
    later = side.stateful  # as put; put again if an attempt builds them for another user (``_recipients``)
    # A refused enrollment's side items are settled (``side_items.side_items_settled``); a written one's stay.
    with side_items_settled(side):
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
                now=now,
                welcome=welcome,
                enroll_again=enroll_again,
                renews=renews,
            )
            if side.written:
                built = _later_records(enrollment, welcome=welcome, now=now)
                if _recipients(built) != _recipients(later):
                    # The person's user item turned out another than the side items were built for (created
                    # meanwhile): their records name the recipient the enrollment will have. Nothing is stored
                    # under this id but the side items, so putting them again is safe.
                    batch_write(puts=built)
                    later = built
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
    renews: str | None = None,
) -> tuple[Transaction, EnrollmentItem]:
    now_iso = to_iso(now)
    tx = Transaction()
    user_item, cpf = _put_person(
        tx, person=person, existing_user=existing_user, enrollment_id=enrollment_id, now_iso=now_iso
    )
    enrollment = _new_enrollment(
        enrollment_id=enrollment_id,
        person=person,
        user_id=user_item.user_id,
        cpf=cpf,
        company=company,
        course=course,
        author=author,
        source=source,
        now=now,
        renews=renews,
    )
    tx.put(enrollment, condition=EnrollmentItem.id.does_not_exist(), name="enrollment")
    # The tenant metadata, the name words and the records that hold no ``due`` entry are side items, put before
    # (``side_items``); the record that holds the enrollment's one entry goes with it.
    for record in _records(enrollment, welcome=welcome, now=now):
        if record.due_shard:
            tx.put(record)
    tx.put(CancelPolicyItem(*keys.cancel_policy(enrollment_id), created_at=now_iso))
    if renews:
        # Whoever renews the certificate (a job, staff, seats that arrived), it no longer waits for a seat.
        tx.delete(RenewalPendingItem(*keys.renewal_pending(company.id, course_id=course.id, renewed_id=renews)))
    if author.staff:
        # The history makes the ENROLLED event from the enrollment (``selectors.enrolled_event``); a staff member's
        # is stored too, since that item is the enrollment's line in "Recent actions" (the indexes hold actions).
        detail = renewal_detail(renews) if renews else None
        tx.put(
            audit_event(
                enrollment_id=enrollment_id, at=now, action=ENROLLED_ACTION, author=author, source=source, detail=detail
            )
        )
    put_enrollment_events(tx, ENROLLMENT_CREATED, enrollment, occurred_at=now_iso)
    # Without a window, a second active enrollment of the person in the course needs staff's "enroll again".
    active = ActiveEnrollmentsItem(*keys.active_enrollments(user_id=user_item.user_id, course_id=course.id))
    needs_none = window_days is None and not enroll_again
    tx.update(
        active,
        [ActiveEnrollmentsItem.enrollment_ids.add({enrollment_id})],
        condition=ActiveEnrollmentsItem.enrollment_ids.does_not_exist() if needs_none else None,
        name="active",
    )

    _put_lock(
        tx, enrollment_id=enrollment_id, user_id=user_item.user_id, course=course, window_days=window_days, now=now
    )
    if seat is not None:
        _take_seat(tx, seat=seat, enrollment_id=enrollment_id, now_iso=now_iso)
    return tx, enrollment


# New people's user ids: one per enrollment id, so the records put before the transaction and every attempt agree.
_NEW_USERS = uuid.UUID("6f1c1f8e-3b0a-4c8e-9a57-2f3d5c6b7a10")


def new_user_id(enrollment_id: str) -> str:
    """Return the user id a person new to the back office gets when ``enrollment_id`` creates them."""
    return str(uuid.uuid5(_NEW_USERS, enrollment_id))


def _identity(person: Person, user: UserItem | None, enrollment_id: str) -> dict[str, str | None]:
    """Return the user id and CPF an enrollment of ``person`` names: its user item's as read (the CPF given, else
    theirs), or a new person's (``new_user_id``)."""
    if user is None:
        return {"user_id": new_user_id(enrollment_id), "cpf": person.cpf}
    return {"user_id": user.user_id, "cpf": person.cpf or user.cpf}


def _recipients(records) -> set[tuple[str, str | None]]:
    return {(record.recipient.id, record.recipient.cpf) for record in records}


def _new_enrollment(
    *,
    enrollment_id: str,
    person: Person,
    user_id: str,
    cpf: str | None,
    company: CompanyItem,
    course: CourseItem,
    author: Author,
    source: str,
    now: datetime,
    renews: str | None,
) -> EnrollmentItem:
    """Return the enrollment item an enroll at ``now`` writes (with its index attributes)."""
    now_iso = to_iso(now)
    return EnrollmentItem(
        *keys.enrollment(enrollment_id),
        created_at=now_iso,
        updated_at=now_iso,
        tenant_id=company.id,
        tenant_name=company.name,
        user=PersonAttribute(id=user_id, name=person.name, email=person.email, cpf=cpf),
        course=CourseAttribute(
            id=course.id,
            name=course.name,
            access_period_days=course.access_period_days,
            certificate_validity_days=course.certificate_validity_days,
        ),
        status=PENDING,
        source=source,
        created_by=author.as_attribute(),
        access_expires_at=to_iso(now + timedelta(days=course.access_period_days)),
        renews=renews,
        **keys.enrollment_index_keys(
            enrollment_id=enrollment_id,
            created_at=now_iso,
            tenant_id=company.id,
            course_id=course.id,
            email=person.email,
            cpf=cpf,
        ),
    )


def _records(enrollment: EnrollmentItem, *, welcome: bool, now: datetime) -> list[LifecycleRecordItem]:
    """Return every lifecycle record of a new enrollment, the earliest (only) with its ``due`` entry."""
    schedule = enrollment_schedule(
        access_period_days=enrollment.course.access_period_days, enrolled_at=now, welcome=welcome
    )
    return scheduled_records(enrollment=enrollment, schedule=schedule, now=now)


def _later_records(enrollment: EnrollmentItem, *, welcome: bool, now: datetime) -> tuple[LifecycleRecordItem, ...]:
    """Return the records of a new enrollment that hold no ``due`` entry: side items (``side_items``)."""
    return tuple(record for record in _records(enrollment, welcome=welcome, now=now) if not record.due_shard)


def enrollment_side(
    *,
    enrollment_id: str,
    person: Person,
    user: UserItem | None,
    company: CompanyItem,
    course: CourseItem,
    author: Author,
    source: str,
    now: datetime,
    welcome: bool = True,
    renews: str | None = None,
) -> SideItems:
    """Return the side items of an enrollment about to be written at ``now``: its words and tenant metadata
    (``side_items.enrollment_side_items``) and, stateful, its lifecycle records that hold no ``due`` entry, built
    for ``user`` (the person's user item as read; ``None``: new) as ``_enroll_transaction`` builds them.
    ``commit_enrollment`` puts them again should an attempt find another user."""
    enrollment = _new_enrollment(
        enrollment_id=enrollment_id,
        person=person,
        **_identity(person, user, enrollment_id),
        company=company,
        course=course,
        author=author,
        source=source,
        now=now,
        renews=renews,
    )
    return enrollment_side_items(
        enrollment_id=enrollment_id,
        name=person.name,
        tenant_id=company.id,
        tenant_name=company.name,
        course_id=course.id,
        now=now,
        stateful=_later_records(enrollment, welcome=welcome, now=now),
    )


def _put_person(
    tx: Transaction, *, person: Person, existing_user: UserItem | None, enrollment_id: str, now_iso: str
) -> tuple[UserItem, str | None]:
    """Put the person's user item when new (``_identity``) and claim the CPF for them; return the user item and
    the CPF."""
    identity = _identity(person, existing_user, enrollment_id)
    if existing_user is None:
        user_item = UserItem(
            *keys.user(person.email),
            created_at=now_iso,
            user_id=identity["user_id"],
            name=person.name,
            email=person.email,
            cpf=person.cpf,
        )
        tx.put(user_item, condition=UserItem.id.does_not_exist(), name="user")
    else:
        user_item = existing_user
    cpf = identity["cpf"]
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
    return user_item, cpf


def _put_lock(
    tx: Transaction, *, enrollment_id: str, user_id: str, course: CourseItem, window_days: int | None, now: datetime
) -> None:
    """Check that the person's lock in the course is free; with a window, take it until the window ends."""
    now_iso = to_iso(now)
    key = keys.lock(keys.lock_hash(user_id=user_id, course_id=course.id))
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


def _take_seat(tx: Transaction, *, seat: VacancyItem, enrollment_id: str, now_iso: str) -> None:
    """Delete the free seat (it must still be there) and record it as this enrollment's, in the order's uses."""
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
