from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from enrollments import selectors
from enrollments.clock import to_iso
from enrollments.dynamo import keys
from enrollments.dynamo.keys import lock_hash
from enrollments.dynamo.models import (
    CancelPolicyItem,
    GeneratedItem,
    LifecycleRecordItem,
    LockItem,
    MainItem,
    PersonAttribute,
)
from enrollments.exceptions import EnrollmentNotFound, InvalidEnrollmentData, NotCancelable
from enrollments.services import cancel, enroll
from enrollments.tests.factories import STAFF, make_company, make_course, make_order, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepaid_enrollment(frozen_clock):
    company, course = make_company(), make_course()
    order = make_order(company, course, seats=1)
    enrollment = enroll(
        tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF, deduplication_window_days=10
    )
    return company, course, order, enrollment


def test_cancel__removes_every_schedule_record_including_later_ones(prepaid_enrollment):
    """Defect 3: cancel reads the records that exist instead of deleting a fixed, wrong list."""
    _company, _course, _order, enrollment = prepaid_enrollment
    extra = LifecycleRecordItem(
        id=enrollment.id,
        sk="schedules#no_activity_7_days",
        event="no_activity_7_days",
        due_at="2026-04-01T00:00:00.000000Z",
        state="PENDING",
        recipient=PersonAttribute(id="u", name="n", email="e@example.com"),
        course_name="c",
        tenant_id="t",
        due_shard="2026-04-01#0",
    )
    extra.save()

    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF, notify_learner=False)

    assert [item for item in MainItem.query(enrollment.id) if item.sk.startswith("schedules#")] == []


def test_cancel__notifying_the_learner__leaves_only_the_cancel_notice_due_now(prepaid_enrollment, frozen_clock):
    _company, _course, _order, enrollment = prepaid_enrollment
    assert "welcome" in {record.event for record in selectors.enrollment_partition(enrollment.id).schedules}

    cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF)

    (notice,) = [
        item for item in MainItem.query(enrollment.id, consistent_read=True) if item.sk.startswith("schedules#")
    ]
    assert (notice.sk, notice.event, notice.state, notice.attempts) == (
        "schedules#cancel_notice",
        "cancel_notice",
        "PENDING",
        0,
    )
    assert notice.due_at == notice.scheduled_for == to_iso(frozen_clock.start) and notice.due_shard is not None
    assert notice.recipient.email == enrollment.user.email and notice.tenant_id == enrollment.tenant_id


def test_cancel__marks_canceled_records_author_and_reason_and_audits(prepaid_enrollment):
    enrollment = prepaid_enrollment[3]

    result = cancel(enrollment_id=enrollment.id, reason="Left the company", author=STAFF)

    partition = selectors.enrollment_partition(enrollment.id)
    assert result.status == partition.enrollment.status == "CANCELED"
    assert partition.canceled_date.reason == "Left the company" and partition.canceled_date.author.id == STAFF.id
    assert partition.cancel_policy is None
    canceled = [event for event in partition.audit if event.action == "CANCELED"]
    assert len(canceled) == 1 and canceled[0].reason == "Left the company" and canceled[0].author.name == STAFF.name


def test_cancel__removes_lock_and_its_metadata(prepaid_enrollment):
    _company, course, _order, enrollment = prepaid_enrollment
    key = lock_hash(user_id=enrollment.user.id, course_id=course.id)

    cancel(enrollment_id=enrollment.id, reason="Wrong person", author=STAFF)

    assert selectors.lock_find(key) is None
    assert selectors.enrollment_partition(enrollment.id).lock_metadata is None


def test_cancel__gives_the_seat_back_once_and_rolls_back_the_generated_item(prepaid_enrollment):
    company, course, order, enrollment = prepaid_enrollment
    used_seat = selectors.enrollment_partition(enrollment.id).parent_vacancy.vacancy_sk
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0

    cancel(enrollment_id=enrollment.id, reason="Wrong course", author=STAFF)

    seats = selectors.free_seats(tenant_id=company.id, course_id=course.id)
    assert len(seats) == 1 and seats[0].sk != used_seat and seats[0].order_id == order.order_id
    assert GeneratedItem.get(*keys.generated_item(order.order_id, enrollment.id)).status == "ROLLBACK"
    assert selectors.enrollment_partition(enrollment.id).parent_vacancy is None


def test_cancel__after_order_use_shards_changed__rolls_back_the_use_where_enroll_wrote_it(prepaid_enrollment, settings):
    company, course, order, enrollment = prepaid_enrollment
    written = GeneratedItem.get(*keys.generated_item(order.order_id, enrollment.id))
    shard = keys.shard_number(enrollment.id, settings.ORDER_USE_SHARDS)
    # More shards, under which this enrollment's use would now be looked for in another partition.
    settings.ORDER_USE_SHARDS = next(
        count for count in range(settings.ORDER_USE_SHARDS + 1, 64) if keys.shard_number(enrollment.id, count) != shard
    )
    assert keys.generated_item(order.order_id, enrollment.id).pk != written.order_id

    cancel(enrollment_id=enrollment.id, reason="Wrong course", author=STAFF)

    assert GeneratedItem.get(written.order_id, written.sk).status == "ROLLBACK"
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


def test_cancel__of_a_seat_use_written_before_its_partition_was_recorded__finds_it_and_rolls_it_back(
    prepaid_enrollment,
):
    """Seat uses written before the order's shards sit in the order's own partition, and their
    parent item does not say where: cancel finds them there."""
    company, course, order, enrollment = prepaid_enrollment
    parent = selectors.enrollment_partition(enrollment.id).parent_vacancy
    written = GeneratedItem.get(parent.use_pk, keys.generated_item(order.order_id, enrollment.id).sk)
    written.delete()
    legacy = GeneratedItem(
        order.order_id,
        written.sk,
        created_at=written.created_at,
        enrollment_id=enrollment.id,
        status=written.status,
        vacancy_sk=written.vacancy_sk,
    )
    legacy.save()
    parent.use_pk = None
    parent.save()

    cancel(enrollment_id=enrollment.id, reason="Wrong course", author=STAFF)

    assert GeneratedItem.get(order.order_id, written.sk).status == "ROLLBACK"
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


def test_cancel__twice__raises_not_cancelable_with_clear_message(prepaid_enrollment):
    """Defect 6: a second cancel gets its own clear error."""
    company, course, _order, enrollment = prepaid_enrollment
    cancel(enrollment_id=enrollment.id, reason="Duplicate", author=STAFF)

    with pytest.raises(NotCancelable, match="already canceled"):
        cancel(enrollment_id=enrollment.id, reason="Duplicate", author=STAFF)

    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1


def test_cancel__concurrently_twice__refunds_one_seat_and_one_raises(prepaid_enrollment):
    company, course, _order, enrollment = prepaid_enrollment

    def attempt(_):
        try:
            cancel(enrollment_id=enrollment.id, reason="Double click", author=STAFF)
            return "canceled"
        except NotCancelable:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, range(2)))

    assert outcomes == ["canceled", "refused"]
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 1
    assert [e.action for e in selectors.enrollment_partition(enrollment.id).audit].count("CANCELED") == 1


def test_cancel__postpaid__touches_no_order_and_no_parent_vacancy(frozen_clock):
    """Defect 6: without a seat, cancel does not pretend to delete one."""
    company, course = make_company(billing="postpaid"), make_course()
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    cancel(enrollment_id=enrollment.id, reason="Not needed", author=STAFF)

    assert selectors.enrollment_partition(enrollment.id).enrollment.status == "CANCELED"
    assert selectors.seats_left(tenant_id=company.id, course_id=course.id) == 0


def test_cancel__without_cancel_policy__raises_not_cancelable(prepaid_enrollment):
    enrollment = prepaid_enrollment[3]
    CancelPolicyItem(id=enrollment.id, sk="cancel_policy").delete()

    with pytest.raises(NotCancelable, match="accessed"):
        cancel(enrollment_id=enrollment.id, reason="Too late", author=STAFF)

    assert selectors.enrollment_partition(enrollment.id).enrollment.status == "PENDING"


def test_cancel__empty_reason__raises_and_writes_nothing(prepaid_enrollment):
    enrollment = prepaid_enrollment[3]
    before = sorted(item.sk for item in MainItem.query(enrollment.id))

    with pytest.raises(InvalidEnrollmentData) as raised:
        cancel(enrollment_id=enrollment.id, reason="   ", author=STAFF)

    assert raised.value.field == "reason"
    assert sorted(item.sk for item in MainItem.query(enrollment.id)) == before


def test_cancel__unknown_enrollment__raises_not_found(frozen_clock):
    with pytest.raises(EnrollmentNotFound):
        cancel(enrollment_id="no-such-enrollment", reason="x", author=STAFF)


def test_cancel__after_lock_expired_and_was_taken__leaves_the_new_lock(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course(access_period_days=90)
    person = make_person()
    first = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=10)
    frozen_clock.set(frozen_clock.start + timedelta(days=81))
    second = enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, deduplication_window_days=10)

    cancel(enrollment_id=first.id, reason="Old one", author=STAFF)

    assert LockItem.get("lock", lock_hash(user_id=second.user.id, course_id=course.id)).enrollment_id == second.id
