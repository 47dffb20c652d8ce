import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings

from enrollments import selectors
from enrollments.clock import to_iso
from enrollments.dynamo import keys
from enrollments.dynamo.keys import due_shard, lock_hash
from enrollments.dynamo.models import (
    AuditEventItem,
    GeneratedItem,
    LifecycleRecordItem,
    LockItem,
    MainItem,
    TenantMetadataItem,
)
from enrollments.exceptions import (
    DeduplicationConflict,
    EnrollmentAlreadyExists,
    EnrollmentError,
    InvalidEnrollmentData,
    NoVacancyLeft,
)
from enrollments.services import Author, enroll
from enrollments.services.catalog import course_restore, course_retire
from enrollments.tests.factories import (
    STAFF,
    id_of,
    make_company,
    make_course,
    make_cpf,
    make_order,
    make_person,
    order_uses,
)

pytestmark = pytest.mark.django_db


def _sks(enrollment_id):
    return sorted(item.sk for item in MainItem.query(enrollment_id, consistent_read=True))


def test_enroll__prepaid_with_window__writes_every_item_with_exact_values(frozen_clock):
    company, course = make_company(), make_course(access_period_days=90)
    order = make_order(company, course, seats=2)
    cpf = make_cpf()
    person = make_person(cpf=cpf)

    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=10
    )

    start = frozen_clock.start
    partition = selectors.enrollment_partition(enrollment.id)
    stored = partition.enrollment
    assert stored.status == "PENDING"
    assert (stored.user.name, stored.user.email, stored.user.cpf) == (
        person.name,
        person.email,
        cpf.replace(".", "").replace("-", ""),
    )
    assert (stored.course.id, stored.course.name, stored.course.access_period_days) == (course.id, course.name, 90)
    assert stored.tenant_id == company.id and stored.source == "form" and stored.created_by.id == STAFF.id
    assert stored.created_at == to_iso(start)
    assert stored.access_expires_at == to_iso(start + timedelta(days=90))
    shard = keys.shard_number(enrollment.id, settings.ENROLLMENT_INDEX_SHARDS)
    assert stored.tenant_pk == keys.sharded(company.id, shard) and stored.email_pk == person.email

    tenant = TenantMetadataItem.get(enrollment.id, "metadata#tenant")
    assert (tenant.tenant_id, tenant.name) == (company.id, company.name)

    due = {record.event: record for record in partition.schedules}
    assert set(due) == {"welcome", "reminder_no_access_3_days", "access_period_reminder_30_days", "course_expired"}
    assert due["welcome"].due_at == to_iso(start)
    assert due["reminder_no_access_3_days"].due_at == to_iso(start + timedelta(days=3))
    assert due["access_period_reminder_30_days"].due_at == to_iso(start + timedelta(days=60))
    assert due["course_expired"].due_at == to_iso(start + timedelta(days=90))
    for record in due.values():
        assert record.state == "PENDING" and record.recipient.email == person.email
    # Only the earliest record holds a ``due`` index entry; the others are handed it in turn.
    assert due["welcome"].due_shard == due_shard(enrollment_id=enrollment.id, event="welcome", due_at=start)
    assert [event for event, record in due.items() if record.due_shard] == ["welcome"]

    assert partition.cancel_policy is not None
    # Its history's ENROLLED event is made from the enrollment: the transaction wrote no audit item.
    assert [event.action for event in partition.audit] == ["ENROLLED"]
    assert partition.audit[0].author.id == STAFF.id and partition.audit[0].source == "form"
    assert not [sk for sk in _sks(enrollment.id) if sk.startswith(keys.AUDIT_PREFIX)]

    key = lock_hash(user_id=stored.user.id, course_id=course.id)
    lock = LockItem.get("lock", key)
    assert lock.enrollment_id == enrollment.id
    assert lock.expires_at == to_iso(start + timedelta(days=80))
    assert partition.lock_metadata.hash == key and partition.lock_metadata.expires_at == lock.expires_at
    assert partition.deduplication_window.days == 10

    assert partition.parent_vacancy.order_id == order.order_id
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1
    generated = GeneratedItem.get(*keys.generated_item(order.order_id, enrollment.id))
    assert generated.status == "USED" and generated.vacancy_sk == partition.parent_vacancy.vacancy_sk


def test_enroll__by_a_staff_member__stores_its_enrolled_event_for_recent_actions(frozen_clock):
    ana = Author(id=f"staff-{uuid.uuid4().hex[:8]}", name="Ana", staff=True)
    company, course = make_company(billing="postpaid"), make_course()

    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=ana)

    [event] = AuditEventItem.query(enrollment.id, AuditEventItem.sk.startswith(keys.AUDIT_PREFIX))
    assert (event.action, event.author.id, event.source, event.created_at) == (
        "ENROLLED",
        ana.id,
        "form",
        enrollment.created_at,
    )
    assert event.actor_pk == keys.actor_actions(ana.id) and event.recent_pk is not None


def test_enroll__30_day_course__has_no_30_day_reminder(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=30)

    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    assert [sk for sk in _sks(enrollment.id) if not sk.startswith("audit#")] == sorted(
        [
            "0",
            "metadata#tenant",
            "schedules#welcome",
            "schedules#reminder_no_access_3_days",
            "schedules#course_expired",
            "cancel_policy",
        ]
    )
    records = selectors.enrollment_partition(enrollment.id).schedules
    # The welcome is due at once; every reminder is due later.
    assert [record.event for record in records if record.due_at <= to_iso(frozen_clock.start)] == ["welcome"]
    assert all(record.due_at == to_iso(frozen_clock.start) for record in records if record.event == "welcome")


def test_enroll__without_welcome__writes_no_welcome_record(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=30)

    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF, welcome=False)

    assert [sk for sk in _sks(enrollment.id) if not sk.startswith("audit#")] == sorted(
        [
            "0",
            "metadata#tenant",
            "schedules#reminder_no_access_3_days",
            "schedules#course_expired",
            "cancel_policy",
        ]
    )
    records = selectors.enrollment_partition(enrollment.id).schedules
    assert all(record.due_at > to_iso(frozen_clock.start) for record in records)


def test_enroll__postpaid__takes_no_seat_and_writes_no_lock_without_window(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()

    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    partition = selectors.enrollment_partition(enrollment.id)
    assert (
        partition.parent_vacancy is None and partition.lock_metadata is None and partition.deduplication_window is None
    )
    assert selectors.lock_find(lock_hash(user_id=partition.enrollment.user.id, course_id=course.id)) is None


def test_enroll__same_email_twice__reuses_one_user(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    person = make_person()

    first = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)
    second = enroll(tenant_id=company.id, course_id=make_course().sk, user=person, author=STAFF)

    assert first.user.id == second.user.id == selectors.user_find(person.email).user_id


def test_enroll__inside_window__raises_deduplication_conflict_and_writes_nothing(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    person = make_person()
    first = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=10)

    frozen_clock.set(frozen_clock.start + timedelta(days=5))
    with pytest.raises(DeduplicationConflict) as raised:
        enroll(
            tenant_id=company.id,
            course_id=course.id,
            user=person,
            author=STAFF,
            deduplication_window_days=10,
            enrollment_id=id_of("second-" + first.id),
        )

    assert raised.value.enrollment_id == first.id
    assert raised.value.lifts_at == frozen_clock.start + timedelta(days=80)
    assert first.id in raised.value.message
    assert list(MainItem.query("second-" + first.id)) == []


def test_enroll__without_window__is_still_blocked_by_a_live_lock(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    person = make_person()
    enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=0)

    with pytest.raises(DeduplicationConflict):
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)


def test_enroll__lock_expired_but_still_present__succeeds(frozen_clock):
    """Defect 2: TTL deletes late, so an expired lock that still exists must not block."""
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    person = make_person()
    first = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=10)
    key = lock_hash(user_id=first.user.id, course_id=course.id)

    frozen_clock.set(frozen_clock.start + timedelta(days=80, seconds=1))
    assert LockItem.get("lock", key).enrollment_id == first.id  # still there: TTL has not run
    second = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=10)

    assert LockItem.get("lock", key).enrollment_id == second.id


def test_enroll__with_window__succeeds_on_dynamodb(frozen_clock):
    """Defect 1: one conditional Put on the lock, not a ConditionCheck and a Put on the same item."""
    company, course = make_company(billing="postpaid"), make_course()

    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF, deduplication_window_days=5
    )

    assert selectors.enrollment_partition(enrollment.id).lock_metadata is not None


def test_deduplication_conflict__is_importable_and_a_domain_error():
    """Defect 5: the error is a module-level class callers can catch."""
    assert issubclass(DeduplicationConflict, EnrollmentError)


def test_enroll__prepaid_without_seats__raises_no_vacancy_left_and_writes_nothing(frozen_clock):
    company, course = make_company(), make_course()

    with pytest.raises(NoVacancyLeft) as raised:
        enroll(
            tenant_id=company.id,
            course_id=course.id,
            user=make_person(),
            author=STAFF,
            enrollment_id=id_of("no-seat-x1"),
        )

    assert course.name in raised.value.message
    assert list(MainItem.query("no-seat-x1")) == []


def test_enroll__same_enrollment_id_twice__raises_already_exists(frozen_clock):
    company, course = make_company(), make_course()
    make_order(company, course, seats=2)
    enroll(
        tenant_id=company.id,
        course_id=course.id,
        user=make_person(),
        author=STAFF,
        enrollment_id=id_of("idem-1-" + company.id),
    )

    with pytest.raises(EnrollmentAlreadyExists):
        enroll(
            tenant_id=company.id,
            course_id=course.id,
            user=make_person(),
            author=STAFF,
            enrollment_id=id_of("idem-1-" + company.id),
        )

    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"user": {"email": "not-an-email"}}, "email"),
        ({"user": {"cpf": "529.982.247-24"}}, "cpf"),
        ({"user": {"name": "  "}}, "name"),
        ({"course_id": "no-such-course"}, "course_id"),
        ({"tenant_id": "no-such-company"}, "tenant_id"),
        ({"deduplication_window_days": 90}, "deduplication_window_days"),
        ({"deduplication_window_days": -1}, "deduplication_window_days"),
    ],
)
def test_enroll__bad_input__raises_invalid_data_naming_the_field_and_writes_nothing(frozen_clock, change, field):
    company, course = make_company(), make_course(access_period_days=90)
    make_order(company, course, seats=1)
    person = make_person(**change.get("user", {}))
    kwargs = {
        "tenant_id": company.id,
        "course_id": course.id,
        "user": person,
        "author": STAFF,
        "enrollment_id": f"bad-{company.id}",
    }
    kwargs.update({k: v for k, v in change.items() if k != "user"})

    with pytest.raises(InvalidEnrollmentData) as raised:
        enroll(**kwargs)

    assert raised.value.field == field and raised.value.message
    assert list(MainItem.query(f"bad-{company.id}")) == []
    assert selectors.user_find(person.email.strip().lower()) is None
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


def test_enroll__20_concurrent_of_one_person_with_window__exactly_one_enrollment(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    person = make_person()

    def attempt(_):
        try:
            return enroll(
                tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=10
            )
        except DeduplicationConflict:
            return None

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(attempt, range(20)))

    created = [r for r in results if r is not None]
    assert len(created) == 1
    listed = list(MainItem.query("lock", MainItem.sk == lock_hash(user_id=created[0].user.id, course_id=course.id)))
    assert [lock.enrollment_id for lock in listed] == [created[0].id]


def test_enroll__3n_concurrent_into_n_seats__exactly_n_enrollments_no_seat_used_twice(frozen_clock):
    seats = 10
    company, course = make_company(), make_course()
    order = make_order(company, course, seats=seats)

    def attempt(_):
        try:
            return enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
        except NoVacancyLeft:
            return None

    with ThreadPoolExecutor(3 * seats) as pool:
        results = list(pool.map(attempt, range(3 * seats)))

    created = [r for r in results if r is not None]
    assert len(created) == seats
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0
    generated = order_uses(order)
    assert len(generated) == seats and {g.status for g in generated} == {"USED"}
    used_seats = [selectors.enrollment_partition(e.id).parent_vacancy.vacancy_sk for e in created]
    assert len(set(used_seats)) == seats


def _in_due_index(enrollment_id: str, *days) -> list[str]:
    """Return the sort keys of the enrollment's records the ``due`` index holds on ``days`` (every shard)."""
    return [
        record.sk
        for day in days
        for shard in range(settings.LIFECYCLE_DUE_SHARDS)
        for record in LifecycleRecordItem.due.query(keys.due_partition(day.isoformat(), shard))
        if record.id == enrollment_id
    ]


@pytest.mark.parametrize("welcome, earliest", [(True, "welcome"), (False, "reminder_no_access_3_days")])
def test_enroll__only_the_earliest_record_is_in_the_due_index(frozen_clock, welcome, earliest):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF, welcome=welcome)

    days = [(frozen_clock.start + timedelta(days=n)).date() for n in (0, 3, 60, 90)]  # every record's due day
    assert _in_due_index(enrollment.id, *days) == [f"schedules#{earliest}"]


def test_enroll__retired_course__refused_naming_the_course_writes_nothing(frozen_clock):
    company, course = make_company(), make_course(name="Old NR-10")
    make_order(company, course, seats=1)
    course_retire(course_id=course.id, author=STAFF)
    person = make_person()

    with pytest.raises(InvalidEnrollmentData) as raised:
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)

    assert raised.value.field == "course_id"
    assert raised.value.message == "The course Old NR-10 is retired: it takes no new enrollments."
    assert selectors.user_find(person.email) is None
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


def test_enroll__restored_course__enrolls_again(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    course_retire(course_id=course.id, author=STAFF)
    course_restore(course_id=course.id, author=STAFF)

    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    assert enrollment.course.id == course.id
