import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

from enrollments import selectors
from enrollments.dynamo.models import MainItem
from enrollments.exceptions import NoVacancyLeft
from enrollments.imports.enroll_rows import BulkEnrollment, _SeatPool, enroll_many
from enrollments.rules import clean_person, name_words
from enrollments.services import enroll
from enrollments.tests.factories import (
    STAFF,
    make_company,
    make_course,
    make_order,
    make_person,
    order_uses,
    stored_name_words,
)

pytestmark = pytest.mark.django_db


def _rows(people, course, window_days=None):
    return [
        BulkEnrollment(enrollment_id=str(uuid.uuid4()), person=clean_person(p), course=course, window_days=window_days)
        for p in people
    ]


def _kinds(enrollment_id):
    return sorted(item.sk.split("#")[0] for item in MainItem.query(enrollment_id))


def test_enroll_many__writes_the_same_items_as_enroll(frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    single = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF, deduplication_window_days=5
    )

    [outcome] = enroll_many(
        company=company, enrollments=_rows([make_person()], course, 5), author=STAFF, source="csv:x", threads=4
    )

    assert _kinds(outcome.enrollment.id) == _kinds(single.id)
    assert selectors.enrollment_get(outcome.enrollment.id).source == "csv:x"
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_enroll_many__one_person_in_two_courses_at_once__one_user_two_enrollments(frozen_clock):
    company, first, second = make_company(billing="postpaid"), make_course(), make_course()
    person = make_person()

    outcomes = enroll_many(
        company=company,
        enrollments=_rows([person], first) + _rows([person], second),
        author=STAFF,
        source="csv:x",
        threads=2,
    )

    assert [o.error for o in outcomes] == [None, None]
    assert outcomes[0].enrollment.user.id == outcomes[1].enrollment.user.id == selectors.user_find(person.email).user_id


def test_enroll_many__same_rows_again__reports_them_existing_and_writes_nothing_more(frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=5)
    rows = _rows([make_person() for _ in range(3)], course)
    first = enroll_many(company=company, enrollments=rows, author=STAFF, source="csv:x", threads=3)

    again = enroll_many(company=company, enrollments=rows, author=STAFF, source="csv:x", threads=3)

    assert [o.existed for o in again] == [True, True, True]
    assert [o.enrollment.id for o in again] == [o.enrollment.id for o in first]
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 2


def _words(enrollment_id, name):
    """Return the word items of ``enrollment_id`` stored under the last word of ``name`` (``make_person``'s own token),
    whatever their time."""
    return sorted((item.sk, item.name_sk) for item in stored_name_words(enrollment_id, name_words(name)[-1]))


def test_enroll_many__rows_refused_leave_no_words_and_rows_run_again_keep_their_first_words():
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    rows = _rows([make_person() for _ in range(4)], course)
    first = enroll_many(company=company, enrollments=rows, author=STAFF, source="csv:x", threads=4)
    words = {
        o.enrollment.id: _words(o.enrollment.id, o.enrollment.user.name) for o in first if o.enrollment is not None
    }

    again = enroll_many(company=company, enrollments=rows, author=STAFF, source="csv:x", threads=4)

    # The words went in for every row before any transaction: the refused rows' are gone, the others' as first written.
    assert len(words) == 2 and all(words.values())
    assert {
        o.enrollment.id: _words(o.enrollment.id, o.enrollment.user.name) for o in again if o.enrollment is not None
    } == words
    assert [_words(row.enrollment_id, row.person.name) for row in rows if row.enrollment_id not in words] == [[], []]


def test_enroll_many__more_rows_than_seats__fills_every_seat_once_and_reports_the_rest(frozen_clock):
    company, course = make_company(), make_course()
    order = make_order(company, course, seats=7)

    outcomes = enroll_many(
        company=company,
        enrollments=_rows([make_person() for _ in range(12)], course),
        author=STAFF,
        source="csv:x",
        threads=6,
    )

    enrolled = [o.enrollment for o in outcomes if o.enrollment is not None]
    assert len(enrolled) == 7
    assert all(isinstance(o.error, NoVacancyLeft) for o in outcomes if o.enrollment is None)
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    generated = order_uses(order)
    assert sorted(g.enrollment_id for g in generated) == sorted(e.id for e in enrolled)
    assert len({selectors.enrollment_partition(e.id).parent_vacancy.vacancy_sk for e in enrolled}) == 7


def test_enroll_many__rerun_with_new_rows_and_few_seats__rows_already_written_leave_their_seats_to_the_new_ones(
    frozen_clock,
):
    company, course = make_company(), make_course()
    make_order(company, course, seats=5)
    rows = _rows([make_person() for _ in range(5)], course)
    enroll_many(company=company, enrollments=rows[:3], author=STAFF, source="csv:x", threads=1)

    outcomes = enroll_many(company=company, enrollments=rows, author=STAFF, source="csv:x", threads=1)

    assert [(o.existed, o.error) for o in outcomes] == [(True, None)] * 3 + [(False, None)] * 2
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


@pytest.fixture
def last_seat_held(frozen_clock):
    """A course with one seat, held by an attempt of a pool, and a second ``take()`` of that pool, waiting."""
    company, course = make_company(), make_course()
    make_order(company, course, seats=1)
    pool = _SeatPool(tenant_id=company.id, course_id=course.id)
    held = pool.take()
    executor = ThreadPoolExecutor(max_workers=1)
    waiting = executor.submit(pool.take)
    executor.shutdown(wait=False)
    with pytest.raises(FutureTimeout):
        waiting.result(timeout=0.5)  # not "no seat left" while an attempt holds the last seat
    return company, course, pool, held, waiting


def test_seat_pool__last_seat_held_by_an_attempt__next_taker_waits_and_gets_it_when_given_back(last_seat_held):
    _company, _course, pool, held, waiting = last_seat_held

    pool.release(held)

    assert waiting.result(timeout=10).sk == held.sk


def test_seat_pool__last_seat_held_then_taken_by_another_enrollment__next_taker_gets_none(last_seat_held):
    company, course, pool, held, waiting = last_seat_held

    enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)  # takes the seat
    pool.settle(held)  # the attempt that held it lost it

    assert waiting.result(timeout=10) is None
