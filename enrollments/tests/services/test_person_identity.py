"""One person per CPF, the lock following the person, and active duplicates needing staff's yes."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from enrollments import clock, selectors
from enrollments.dynamo.models import MainItem
from enrollments.exceptions import (
    ActiveEnrollmentExists,
    CpfBelongsToAnotherPerson,
    DeduplicationConflict,
    EmailHasAnotherCpf,
    EnrollmentAlreadyExists,
    EnrollmentError,
)
from enrollments.services import cancel, enroll, record_completion
from enrollments.tests.factories import STAFF, id_of, make_company, make_course, make_cpf, make_order, make_person
from enrollments.tests.lifecycle_support import make_enrollment

pytestmark = pytest.mark.django_db


def _enroll(company, course, person, **options):
    return enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, **options)


def _partition_size(enrollment_id: str) -> int:
    return sum(1 for _ in MainItem.query(enrollment_id, consistent_read=True))


def test_cpf_of_a_person_with_another_email__is_refused_naming_that_person_and_writes_nothing():
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    cpf = make_cpf(formatted=False)
    owner = make_person(name="Maria Souza", cpf=cpf)
    _enroll(company, course, owner)

    with pytest.raises(CpfBelongsToAnotherPerson) as refused:
        _enroll(company, course, make_person(cpf=cpf), enrollment_id=id_of("refused-" + cpf))

    assert "Maria Souza" in refused.value.message and owner.email in refused.value.message
    assert refused.value.field == "cpf"
    assert _partition_size("refused-" + cpf) == 0
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


def test_as_cpf_owner__enrolls_the_person_the_cpf_belongs_to():
    company, course, other_course = make_company(billing="postpaid"), make_course(), make_course()
    cpf = make_cpf(formatted=False)
    owner = make_person(name="Maria Souza", cpf=cpf)
    first = _enroll(company, course, owner)

    second = _enroll(company, other_course, make_person(name="M. Souza", cpf=cpf), as_cpf_owner=True)

    assert (second.user.id, second.user.email, second.user.name) == (first.user.id, owner.email, "Maria Souza")


def test_email_of_a_person_with_another_cpf__is_refused():
    company, course = make_company(billing="postpaid"), make_course()
    person = make_person(name="Ana Lima", cpf=make_cpf(formatted=False))
    _enroll(company, course, person)

    with pytest.raises(EmailHasAnotherCpf) as refused:
        _enroll(company, make_course(), make_person(email=person.email, cpf=make_cpf(formatted=False)))

    assert "Ana Lima" in refused.value.message and refused.value.field == "cpf"


def test_a_person_without_cpf__gets_the_cpf_of_a_later_enrollment_and_keeps_it_for_herself():
    company = make_company(billing="postpaid")
    person = make_person(cpf=None)
    _enroll(company, make_course(), person)
    cpf = make_cpf(formatted=False)

    _enroll(company, make_course(), make_person(email=person.email, cpf=cpf))

    assert selectors.user_find(person.email).cpf == cpf
    assert selectors.cpf_owner_find(cpf).email == person.email
    with pytest.raises(CpfBelongsToAnotherPerson):
        _enroll(company, make_course(), make_person(cpf=cpf))
    # Without a CPF, her later enrollments carry the one she has.
    assert _enroll(company, make_course(), make_person(email=person.email)).user.cpf == cpf


def test_the_lock_follows_the_person__found_by_cpf_as_by_email():
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    cpf = make_cpf(formatted=False)
    first = _enroll(company, course, make_person(cpf=cpf), deduplication_window_days=10)

    with pytest.raises(DeduplicationConflict) as conflict:
        _enroll(company, course, make_person(cpf=cpf), as_cpf_owner=True, deduplication_window_days=10)

    assert conflict.value.enrollment_id == first.id


def test_two_emails_claiming_one_cpf_at_once__one_is_enrolled_the_other_refused():
    company, course = make_company(), make_course()
    make_order(company, course, seats=8)
    cpf = make_cpf(formatted=False)
    people = [make_person(cpf=cpf) for _ in range(4)]

    def attempt(person):
        try:
            return _enroll(company, course, person)
        except EnrollmentError as error:
            return error

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(attempt, people))

    enrolled = [outcome for outcome in outcomes if not isinstance(outcome, EnrollmentError)]
    assert len(enrolled) == 1
    assert all(isinstance(outcome, CpfBelongsToAnotherPerson) for outcome in outcomes if outcome not in enrolled)
    assert selectors.cpf_owner_find(cpf).email == enrolled[0].user.email
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 7


def test_active_enrollment_in_the_course__needs_enroll_again():
    company, course = make_company(billing="postpaid"), make_course()
    person = make_person(name="João Silva")
    first = _enroll(company, course, person)

    with pytest.raises(ActiveEnrollmentExists) as refused:
        _enroll(company, course, person, enrollment_id=id_of("again-" + first.id))

    assert refused.value.enrollment_id == first.id and "João Silva" in refused.value.message
    assert _partition_size("again-" + first.id) == 0
    second = _enroll(company, course, person, enroll_again=True)
    assert second.id != first.id
    assert selectors.active_enrollment_ids(user_id=first.user.id, course_id=course.id) == {first.id, second.id}


def test_active_enrollment__found_by_cpf_under_another_email__needs_enroll_again():
    company, course = make_company(billing="postpaid"), make_course()
    cpf = make_cpf(formatted=False)
    first = _enroll(company, course, make_person(cpf=cpf))

    with pytest.raises(ActiveEnrollmentExists) as refused:
        _enroll(company, course, make_person(cpf=cpf), as_cpf_owner=True)

    assert refused.value.enrollment_id == first.id


def test_the_same_submit_twice_without_window__shows_the_first_enrollment():
    company, course = make_company(billing="postpaid"), make_course()
    person = make_person()
    first = _enroll(company, course, person, enrollment_id=id_of("twice-" + person.email))

    with pytest.raises(EnrollmentAlreadyExists):
        _enroll(company, course, person, enrollment_id=first.id)


def test_canceled_or_completed_enrollment__leaves_the_course_open_to_the_person():
    company = make_company(billing="postpaid")
    canceled_course, completed_course = make_course(), make_course()
    person = make_person()
    canceled = _enroll(company, canceled_course, person)
    completed = _enroll(company, completed_course, person)

    cancel(enrollment_id=canceled.id, reason="Wrong course", author=STAFF)
    record_completion(enrollment_id=completed.id, certificate_expires_at=clock.now() + timedelta(days=365))

    assert selectors.active_enrollment_ids(user_id=canceled.user.id, course_id=canceled_course.id) == set()
    assert _enroll(company, canceled_course, person).status == "PENDING"
    assert _enroll(company, completed_course, person).status == "PENDING"


def test_expired_enrollment__leaves_the_course_open_to_the_person(lifecycle_time):
    t = lifecycle_time
    person = make_person()
    expired = make_enrollment(access_period_days=35, person=person)
    course = selectors.course_get(expired.course.id)

    t.tick(t.start + timedelta(days=35, hours=1))

    assert selectors.enrollment_get(expired.id).status == "EXPIRED"
    assert selectors.active_enrollment_ids(user_id=expired.user.id, course_id=course.id) == set()
    again = _enroll(make_company(billing="postpaid"), course, person)
    assert again.status == "PENDING"
