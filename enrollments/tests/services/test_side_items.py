"""Side items of an enrollment (name words, tenant metadata): put with BatchWrite before the enrollment's transaction
for enrollments that do not exist yet, and settled when it is refused."""

import dataclasses
import uuid
from datetime import timedelta

import pytest

from enrollments import selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import (
    CancelPolicyItem,
    EnrollmentItem,
    MainItem,
    NameWordItem,
    TenantMetadataItem,
)
from enrollments.exceptions import (
    ActiveEnrollmentExists,
    CpfBelongsToAnotherPerson,
    EnrollmentAlreadyExists,
    NoVacancyLeft,
)
from enrollments.imports.enroll_rows import BulkEnrollment, enroll_many
from enrollments.rules import clean_person, name_words
from enrollments.services import enroll
from enrollments.services.enroll import commit_enrollment, enrollment_side
from enrollments.services.name_index import name_word_items
from enrollments.services.side_items import (
    enrollment_side_items,
    put_side_item,
    put_side_items,
    settle_side_items,
    stored_side_items,
)
from enrollments.tests.factories import STAFF, make_company, make_course, make_cpf, make_order, make_person

pytestmark = pytest.mark.django_db

# The side items an enrollment's partition holds: its tenant metadata and the records that hold no ``due`` entry
# (stored, the record that holds it looks alike). Its name words are keyed by word (``keys.name_word``).
_SIDE_PREFIXES = ("metadata#tenant", "schedules#")


def _stored(items) -> dict[tuple[str, str], dict]:
    """Return those of ``items``' keys that are stored, with the item DynamoDB holds under each."""
    wanted = {(item.id, item.sk) for item in items}
    return {(item.id, item.sk): item.serialize() for item in MainItem.batch_get(wanted, consistent_read=True)}


def _side_items(enrollment_id: str) -> dict[tuple[str, str], dict]:
    """Return the stored side items of a stored enrollment, by key, as DynamoDB holds them: those of its partition
    and its name words (their keys follow from the enrollment)."""
    partition = {
        (item.id, item.sk): item.serialize()
        for item in MainItem.query(enrollment_id, consistent_read=True)
        if item.sk.startswith(_SIDE_PREFIXES)
    }
    enrollment = EnrollmentItem.get(enrollment_id, "0", consistent_read=True)
    return partition | _stored(name_word_items(enrollment))


def _partition(enrollment_id: str) -> list[str]:
    return sorted(item.sk for item in MainItem.query(enrollment_id, consistent_read=True))


def _batch_writes(calls) -> list[dict]:
    return [call.request for call in calls if call.operation == "BatchWriteItem"]


def test_enroll__writes_tenant_metadata_with_the_company_and_the_enrollments_instant(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()

    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    tenant = TenantMetadataItem.get(*keys.tenant_metadata(enrollment.id), consistent_read=True)
    assert (tenant.tenant_id, tenant.name, tenant.created_at) == (company.id, company.name, enrollment.created_at)
    derived = stored_side_items(enrollment)
    assert _stored(derived) == {(item.id, item.sk): item.serialize() for item in derived}


def test_enroll__tenant_metadata_and_words_outside_the_transaction(dynamodb_calls):
    company, course = make_company(billing="postpaid"), make_course()
    dynamodb_calls.clear()

    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)

    # The id was made by ``enroll``: nothing could exist under it, so nothing was read first.
    reads = [call for call in dynamodb_calls if call.operation in ("GetItem", "BatchGetItem")]
    [transaction] = [call.request for call in dynamodb_calls if call.operation == "TransactWriteItems"]
    put = [part["Put"]["Item"] for part in transaction["TransactItems"] if "Put" in part]
    # In the transaction: the enrollment and the one record that holds its ``due`` entry, no other record.
    [holder] = [item for item in put if item["sk"]["S"].startswith("schedules#")]
    assert "due_shard" in holder and "0" in {item["sk"]["S"] for item in put}
    assert not [item for item in put if item["sk"]["S"] == "metadata#tenant" or item["id"]["S"].startswith("names#")]
    [batch] = _batch_writes(dynamodb_calls)
    [requests] = batch["RequestItems"].values()
    written = {
        (request["PutRequest"]["Item"]["id"]["S"], request["PutRequest"]["Item"]["sk"]["S"]) for request in requests
    }
    stored = set(_side_items(enrollment.id))
    assert written == stored - {(holder["id"]["S"], holder["sk"]["S"])}
    assert not [item for item in requests if "due_shard" in item["PutRequest"]["Item"]]
    assert not [call for call in reads if enrollment.id in str(call.request)]


def _no_seat():
    company, course = make_company(), make_course()
    make_order(company, course, seats=1)
    enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    return company, course, make_person(), NoVacancyLeft


def _active_enrollment():
    company, course, person = make_company(billing="postpaid"), make_course(), make_person()
    enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)
    return company, course, person, ActiveEnrollmentExists


def _cpf_of_another_person():
    company, course, cpf = make_company(billing="postpaid"), make_course(), make_cpf(formatted=False)
    enroll(tenant_id=company.id, course_id=course.id, user=make_person(cpf=cpf), author=STAFF)
    return company, course, make_person(cpf=cpf), CpfBelongsToAnotherPerson


def _word_items(enrollment_id: str, company, course, name: str) -> list[dict]:
    """Return the stored name words of ``name`` in the company's course under ``enrollment_id``, at any instant."""
    return [
        item
        for shard in keys.tenant_name_shards(company.id, name_words(name)[0])
        for item in NameWordItem.by_tenant_name.query(shard)
        if keys.name_of_sort_key(item.name_sk)[1] == enrollment_id
    ]


@pytest.mark.parametrize("refusal", [_no_seat, _active_enrollment, _cpf_of_another_person])
def test_enroll__refused__leaves_no_side_item(refusal, dynamodb_calls):
    """``enroll`` made the id (a uuid4): no twin can write it, so every side item goes."""
    company, course, person, error = refusal()
    dynamodb_calls.clear()

    with pytest.raises(error):
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF)

    [put, *_deletes] = _batch_writes(dynamodb_calls)
    [requests] = put["RequestItems"].values()
    [refused_id] = {
        request["PutRequest"]["Item"]["id"]["S"]
        for request in requests
        if request["PutRequest"]["Item"]["sk"]["S"] == "metadata#tenant"
    }
    assert _partition(refused_id) == []
    assert _word_items(refused_id, company, course, person.name) == []


@pytest.mark.parametrize("refusal", [_no_seat, _active_enrollment, _cpf_of_another_person])
def test_enroll__refused_with_an_id_of_the_caller__words_go_records_stay_out_of_due(refusal):
    """A twin run of a caller's id may still write the enrollment: only the run's words go; its records stay,
    none in ``due``, and the tenant metadata."""
    company, course, person, error = refusal()
    refused_id = str(uuid.uuid4())

    with pytest.raises(error):
        enroll(tenant_id=company.id, course_id=course.id, user=person, author=STAFF, enrollment_id=refused_id)

    records = selectors.lifecycle_records(refused_id)
    assert records and not [record for record in records if record.due_shard]
    assert [sk for sk in _partition(refused_id) if not sk.startswith("schedules#")] == ["metadata#tenant"]
    assert _word_items(refused_id, company, course, person.name) == []


def test_enroll__same_id_again__stored_side_items_unchanged_and_none_written(frozen_clock, dynamodb_calls):
    company, other_company, course = make_company(billing="postpaid"), make_company(billing="postpaid"), make_course()
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(name="Ana Prado"), author=STAFF)
    before = _side_items(enrollment.id)
    frozen_clock.set(frozen_clock.start + timedelta(minutes=5))
    dynamodb_calls.clear()

    with pytest.raises(EnrollmentAlreadyExists):
        enroll(
            tenant_id=other_company.id,
            course_id=course.id,
            user=make_person(name="Beatriz Queiroz"),
            author=STAFF,
            enrollment_id=enrollment.id,
        )

    assert _side_items(enrollment.id) == before
    assert _batch_writes(dynamodb_calls) == []


def test_settle__a_twin_with_the_same_id_won__its_derived_items_put_back_stateful_ones_left(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    enrollment = enroll(tenant_id=company.id, course_id=course.id, user=make_person(name="Caio Reis"), author=STAFF)
    stored = _side_items(enrollment.id)
    later = frozen_clock.start + timedelta(seconds=1)
    # The twin read "missing" before the winner's transaction and put its own items after it.
    twin = enrollment_side_items(
        enrollment_id=enrollment.id,
        name="Davi Souto",
        tenant_id=company.id,
        tenant_name="Renamed",
        course_id=course.id,
        now=later,
    )
    stateful = CancelPolicyItem(*keys.cancel_policy(enrollment.id), created_at="twin")
    twin = put_side_item(dataclasses.replace(twin, stateful=(stateful,)), new=True)
    assert twin.written and _side_items(enrollment.id) != stored
    twin_words = [item for item in twin.derived if (item.id, item.sk) not in stored]
    assert twin_words and len(_stored(twin_words)) == len(twin_words)

    settle_side_items(twin)

    assert _side_items(enrollment.id) == stored
    assert _stored(twin_words) == {}
    assert CancelPolicyItem.get(*keys.cancel_policy(enrollment.id), consistent_read=True).created_at == "twin"


def test_settle__fresh_id_enrollment_missing__deletes_every_side_item_put(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    missing = str(uuid.uuid4())
    side = enrollment_side_items(
        enrollment_id=missing,
        name="Elisa Tavares",
        tenant_id=company.id,
        tenant_name=company.name,
        course_id=course.id,
        now=frozen_clock.start,
    )
    stateful = CancelPolicyItem(*keys.cancel_policy(missing), created_at="x")
    side = put_side_item(dataclasses.replace(side, stateful=(stateful,)), new=True)
    assert len(_stored(side.items)) == len(side.items) > 2

    settle_side_items(side)

    assert _stored(side.items) == {}
    assert _partition(missing) == []


def test_put_side_items__enrollments_that_exist__write_nothing_for_them(frozen_clock):
    company, course = make_company(billing="postpaid"), make_course()
    existing = enroll(tenant_id=company.id, course_id=course.id, user=make_person(), author=STAFF)
    before = _side_items(existing.id)
    fresh = str(uuid.uuid4())
    later = frozen_clock.set(frozen_clock.start + timedelta(minutes=1))

    sides = put_side_items(
        [
            enrollment_side_items(
                enrollment_id=enrollment_id,
                name="Fabio Umbelino",
                tenant_id=company.id,
                tenant_name=company.name,
                course_id=course.id,
                now=later,
            )
            for enrollment_id in (existing.id, fresh)
        ]
    )

    assert [side.written for side in sides] == [False, True]
    assert _side_items(existing.id) == before
    assert len(_stored(sides[1].items)) == len(sides[1].items)


def test_enroll_many__chunk_run_again__writes_no_side_items_for_rows_enrolled(frozen_clock, dynamodb_calls):
    company, course = make_company(), make_course()
    make_order(company, course, seats=3)
    rows = [
        BulkEnrollment(enrollment_id=str(uuid.uuid4()), person=clean_person(make_person()), course=course)
        for _ in range(3)
    ]
    first = enroll_many(company=company, enrollments=rows, author=STAFF, source="csv:x", threads=3)
    before = {row.enrollment_id: _side_items(row.enrollment_id) for row in rows}
    assert all(TenantMetadataItem.get(*keys.tenant_metadata(row.enrollment_id)) for row in rows)
    frozen_clock.set(frozen_clock.start + timedelta(minutes=5))
    dynamodb_calls.clear()

    again = enroll_many(company=company, enrollments=rows, author=STAFF, source="csv:x", threads=3)

    assert [o.existed for o in again] == [True, True, True]
    assert [o.enrollment.id for o in again] == [o.enrollment.id for o in first]
    assert _batch_writes(dynamodb_calls) == []
    assert {row.enrollment_id: _side_items(row.enrollment_id) for row in rows} == before


class _UsersByRead:
    """The person's user item read at every attempt, as ``enroll``'s own source does."""

    def get(self, email):
        return selectors.user_find(email)

    def forget(self, email):
        pass


def _row_side(row_id: str, person, company, course, now):
    """Put the side items of one row about to be enrolled at ``now`` (an import's way: the existence read first)."""
    [side] = put_side_items(
        [
            enrollment_side(
                enrollment_id=row_id,
                person=person,
                user=None,
                company=company,
                course=course,
                author=STAFF,
                source="csv:x",
                now=now,
            )
        ]
    )
    return side


def _commit_row(row_id: str, person, company, course, side):
    return commit_enrollment(
        enrollment_id=row_id,
        person=person,
        company=company,
        course=course,
        author=STAFF,
        window_days=None,
        source="csv:x",
        users=_UsersByRead(),
        seats=None,
        side=side,
    )


def test_commit__the_person_created_meanwhile__records_put_again_for_the_user_they_now_name(frozen_clock):
    """Side records built for a new person name the user id ``enroll`` would give them; when another enrollment
    creates the person first, the attempt that finds them puts the records again, naming the real user."""
    company, course, person = make_company(billing="postpaid"), make_course(), clean_person(make_person())
    row_id = str(uuid.uuid4())
    side = _row_side(row_id, person, company, course, frozen_clock.start)
    first = enroll(tenant_id=company.id, course_id=make_course().id, user=person, author=STAFF)

    enrollment = _commit_row(row_id, person, company, course, side)

    records = selectors.lifecycle_records(row_id)
    assert enrollment.user.id == first.user.id
    assert len(records) == 4 and {record.recipient.id for record in records} == {first.user.id}


def test_twin_runs_of_a_chunk__loser_refused_before_the_winner_writes__winner_keeps_its_records(frozen_clock):
    """Two runs of one import row: both put side items, the later run is refused (no seat left) before the first
    writes its row; the first then writes the enrollment with every record, one in ``due``, and the name search
    finds it once."""
    company, course = make_company(billing="postpaid"), make_course()
    person, row_id = clean_person(make_person(name="Gil Tavares")), str(uuid.uuid4())
    winner = _row_side(row_id, person, company, course, frozen_clock.start)
    loser = _row_side(row_id, person, company, course, frozen_clock.start + timedelta(seconds=30))
    settle_side_items(loser)  # refused: NoVacancyLeft, the winner's transaction still to come

    enrollment = _commit_row(row_id, person, company, course, winner)

    records = selectors.lifecycle_records(row_id)
    assert len(records) == 4 and len([record for record in records if record.due_shard]) == 1
    assert TenantMetadataItem.get(*keys.tenant_metadata(row_id), consistent_read=True).tenant_id == company.id
    found = selectors.enrollment_list(name=["tavares"], tenant_id=company.id)
    assert [item.id for item in found.items] == [enrollment.id]


def test_a_run_that_crashed_after_its_side_items__a_later_run_writes_the_row__search_finds_it_once(frozen_clock):
    """Words of a run that died before its transaction (no settle) stay under the row's id; the run that writes the
    row puts its own at its instant. The search shows the enrollment once, through the words of its instant."""
    company, course = make_company(billing="postpaid"), make_course()
    person, row_id = clean_person(make_person(name="Hana Uchoa")), str(uuid.uuid4())
    _row_side(row_id, person, company, course, frozen_clock.start)  # the run that died
    later = _row_side(row_id, person, company, course, frozen_clock.start + timedelta(minutes=5))

    enrollment = _commit_row(row_id, person, company, course, later)

    assert len(_word_items(row_id, company, course, person.name)) == 2
    for search in ({"tenant_id": company.id}, {}):
        found = selectors.enrollment_list(name=["uchoa"], **search)
        assert [item.id for item in found.items if item.id == row_id] == [enrollment.id]
