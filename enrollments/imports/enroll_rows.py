"""Enroll many people of one company at once: the path of imports into ``commit_enrollment``.

Each person is still one ``enroll`` transaction with the same items; what changes
is the reading around it. Users come from one BatchGet per call, seats from a
pool per course that concurrent rows share, company and course from the caller.
"""

import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .. import clock, selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import CompanyItem, CourseItem, EnrollmentItem, UserItem, VacancyItem
from ..exceptions import ConcurrentChange, EnrollmentAlreadyExists, EnrollmentError, EnrollmentNotFound, NoVacancyLeft
from ..rules import PREPAID, Person
from ..services.common import Author
from ..services.enroll import commit_enrollment, enrollment_side
from ..services.side_items import put_side_items

# Seats fetched at most per query: one page of the vacancies partition.
_MAX_SEAT_QUERY = 500
_ORDERS_CACHE_SECONDS = 60
# How long a taker waits for seats this pool's own attempts hold (an attempt takes one transaction).
_IN_FLIGHT_WAIT_SECONDS = 30


@dataclass(frozen=True)
class BulkEnrollment:
    """One person to enroll, already validated, with the id that makes a retry idempotent."""

    enrollment_id: str
    person: Person
    course: CourseItem
    window_days: int | None = None


@dataclass(frozen=True)
class BulkOutcome:
    """The enrollment written (``existed`` when an earlier run wrote it), or the domain error of the row."""

    enrollment: EnrollmentItem | None = None
    error: EnrollmentError | None = None
    existed: bool = False


@storage_errors_as_domain_errors
def enroll_many(
    *,
    company: CompanyItem,
    enrollments: list[BulkEnrollment],
    author: Author,
    source: str,
    threads: int,
    welcome: bool = True,
    enroll_again: bool = False,
    on_done: Callable[[], None] | None = None,
) -> list[BulkOutcome]:
    """Enroll every person, each in its own transaction, ``threads`` at a time; return outcomes in order.

    With ``welcome``, each enrollment gets its welcome email due at once, as ``enroll`` gives it;
    with ``enroll_again``, a person with an active enrollment in the course is enrolled again;
    ``on_done()`` is called after each person, from the thread that enrolled them.

    One row's failure never stops the others. A row whose enrollment id already
    exists counts as done and reads its enrollment back, so running the same rows
    twice (a resumed import) enrolls each person once.
    """
    if not enrollments:
        return []
    emails = {item.person.email for item in enrollments}
    found = selectors.users_by_email(emails)
    users = _PrefetchedUsers({email: found.get(email) for email in emails})
    pools: dict[str, _SeatPool] = {}
    if company.billing == PREPAID:
        for item in enrollments:
            pool = pools.setdefault(item.course.id, _SeatPool(tenant_id=company.id, course_id=item.course.id))
            pool.wanted += 1

    # Every row's side items in one BatchGet of the enrollments and a few BatchWrites, before any row's transaction
    # (``commit_enrollment`` settles a refused row's): a round trip per 100 rows and per 25 items, not one more a row.
    # Rows enrolled already (a re-run) write none.
    sides = {
        side.enrollment_id: side
        for side in put_side_items(
            [
                enrollment_side(
                    enrollment_id=item.enrollment_id,
                    person=item.person,
                    user=users.get(item.person.email),
                    company=company,
                    course=item.course,
                    author=author,
                    source=source,
                    now=clock.now(),
                    welcome=welcome,
                )
                for item in enrollments
            ],
            threads=threads,
        )
    }

    @storage_errors_as_domain_errors
    def enroll(item: BulkEnrollment) -> BulkOutcome:
        try:
            enrollment = commit_enrollment(
                enrollment_id=item.enrollment_id,
                person=item.person,
                company=company,
                course=item.course,
                author=author,
                window_days=item.window_days,
                source=source,
                users=users,
                seats=pools.get(item.course.id),
                welcome=welcome,
                enroll_again=enroll_again,
                side=sides[item.enrollment_id],
            )
            return BulkOutcome(enrollment=enrollment)
        except EnrollmentAlreadyExists:
            return BulkOutcome(enrollment=selectors.enrollment_get(item.enrollment_id), existed=True)
        except (NoVacancyLeft, ConcurrentChange) as error:
            # These are decided before the enrollment's own condition: an earlier run may have written it.
            existing = _existing(item.enrollment_id)
            return BulkOutcome(enrollment=existing, existed=True) if existing else BulkOutcome(error=error)
        except EnrollmentError as error:
            return BulkOutcome(error=error)

    def enroll_one(item: BulkEnrollment) -> BulkOutcome:
        try:
            outcome = enroll(item)
        except EnrollmentError as error:  # a read of the row's own failed: DynamoDB did not answer
            outcome = BulkOutcome(error=error)
        if on_done is not None:
            on_done()
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(enrollments)))) as executor:
        return list(executor.map(enroll_one, enrollments))


def _existing(enrollment_id: str) -> EnrollmentItem | None:
    try:
        return selectors.enrollment_get(enrollment_id)
    except EnrollmentNotFound:
        return None


class _PrefetchedUsers:
    """Users read in one batch (``None`` for emails nobody has yet); an answer a failed transaction disproved is read again."""

    def __init__(self, users: dict[str, UserItem | None]):
        self._users = users

    def get(self, email: str) -> UserItem | None:
        if email not in self._users:
            self._users[email] = selectors.user_find(email)
        return self._users[email]

    def forget(self, email: str) -> None:
        self._users.pop(email, None)


class _SeatPool:
    """Free seats of one course, shared by the rows enrolled at once.

    Each refill starts at a random key inside a random order of the course, so
    concurrent chunks take different seats instead of all fighting over the first ones.
    When the only free seats left are ones this pool's own attempts hold, a taker waits
    for them: an attempt that fails for another reason gives its seat back.
    """

    def __init__(self, *, tenant_id: str, course_id: str):
        self.tenant_id, self.course_id = tenant_id, course_id
        self.wanted = 0
        self._free: list[VacancyItem] = []
        # Seats handed out and not back yet: being taken by an attempt in flight.
        self._out: set[str] = set()
        self._orders: list[str] | None = None
        self._changed = threading.Condition()

    def take(self) -> VacancyItem | None:
        deadline = time.monotonic() + _IN_FLIGHT_WAIT_SECONDS
        with self._changed:
            while not self._free:
                limit = min(_MAX_SEAT_QUERY, max(1, self.wanted) + len(self._out))
                found = selectors.free_seats_from(
                    tenant_id=self.tenant_id, course_id=self.course_id, start=self._random_start(), limit=limit
                )
                self._free = [seat for seat in found if seat.sk not in self._out]
                if self._free:
                    break
                if len(found) == 0 or time.monotonic() >= deadline:
                    return None
                # Every free seat is held by one of our attempts in flight: wait until one comes back or is gone.
                self._changed.wait(timeout=max(0.0, deadline - time.monotonic()))
            seat = self._free.pop(random.randrange(len(self._free)))
            self._out.add(seat.sk)
            return seat

    def release(self, seat: VacancyItem) -> None:
        with self._changed:
            self._out.discard(seat.sk)
            self._free.append(seat)
            self._changed.notify_all()

    def settle(self, seat: VacancyItem) -> None:
        with self._changed:
            self._out.discard(seat.sk)
            self._changed.notify_all()

    def _random_start(self) -> str | None:
        if self._orders is None:
            self._orders = _course_orders(self.tenant_id, self.course_id)
        # A random seat id of one of the course's orders: seat ids are uuid4s, so takers start apart.
        return (
            keys.seat_sort_key(order_id=random.choice(self._orders), seat_id=str(uuid.uuid4()))
            if self._orders
            else None
        )


_orders_cache: dict[tuple[str, str], tuple[float, list[str]]] = {}


def _course_orders(tenant_id: str, course_id: str) -> list[str]:
    """Return the ids of a company's orders of a course, read at most once a minute per process.

    They only choose where seat queries start: an order missing for a minute is still reached by the wrap-around.
    """
    cached = _orders_cache.get((tenant_id, course_id))
    if cached is None or cached[0] < time.monotonic():
        orders = [order.order_id for order in selectors.order_list(tenant_id=tenant_id) if order.course_id == course_id]
        cached = _orders_cache[(tenant_id, course_id)] = (time.monotonic() + _ORDERS_CACHE_SECONDS, orders)
    return cached[1]
