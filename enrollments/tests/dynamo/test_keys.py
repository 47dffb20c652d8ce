"""The key table of the data model: what is stored must not change shape (items written before must stay found)."""

import hashlib
from datetime import UTC, datetime

from django.test import override_settings

from enrollments.dynamo import keys


def test_keys__enrollment_partition__every_item_keyed_by_the_enrollment_id():
    assert keys.enrollment("e1") == ("e1", "0")
    assert keys.tenant_metadata("e1") == ("e1", "metadata#tenant")
    assert keys.schedule("e1", "course_expired") == ("e1", "schedules#course_expired")
    assert keys.lock_metadata("e1") == ("e1", "metadata#lock")
    assert keys.deduplication_window("e1") == ("e1", "metadata#deduplication_window")
    assert keys.cancel_policy("e1") == ("e1", "cancel_policy")
    assert keys.parent_vacancy("e1") == ("e1", "parent_vacancy")
    assert keys.canceled_date("e1") == ("e1", "canceled_date")
    assert keys.audit_event("e1", at_iso="2026-01-02T03:04:05.000000Z", suffix="abc") == (
        "e1",
        "audit#2026-01-02T03:04:05.000000Z#abc",
    )


def test_keys__partitions_of_their_own__as_the_original_platform_wrote_them():
    # The original rule: md5 of the user id and the course id, one after the other.
    assert keys.lock_hash(user_id="u1", course_id="c1") == hashlib.md5(b"u1c1").hexdigest()
    assert keys.lock("h") == ("lock", "h")
    # Seat "s1" falls in shard 0 of 4, the company's partition as it was before shards; "s3" in shard 3.
    assert keys.vacancy("t1", order_id="o1", seat_id="s1") == ("vacancies#t1", "o1#s1")
    assert keys.vacancy("t1", order_id="o1", seat_id="s3") == ("vacancies#t1#3", "o1#s3")
    assert keys.seat_sort_key(order_id="o1", seat_id="s3") == "o1#s3"
    assert keys.company("t1") == ("companies", "t1") and keys.course("c1") == ("courses", "c1")
    assert keys.company_order("t1", created_at="2026", order_id="o1") == ("orders#t1", "2026#o1")
    assert keys.user("ana@example.com") == ("user#ana@example.com", "0")
    assert keys.scheduler_cursor() == ("scheduler", "cursor#due")
    assert keys.lifecycle_failure(failed_at="2026", enrollment_id="e1", event="course_expired") == (
        "lifecycle_failures",
        "2026#e1#course_expired",
    )
    assert keys.order("o1") == ("o1", "0") and keys.generated_item("o1", "e3") == ("o1", "generated_items#e3")
    assert keys.generated_item("o1", "e1") == ("o1#2", "generated_items#e1")


def test_keys__import_job_partition__chunks_and_results_sort_in_number_order():
    assert keys.import_job("j1") == ("import#j1", "0")
    assert keys.import_chunk("j1", 7) == ("import#j1", "chunk#000007")
    assert keys.import_result("j1", 7) == ("import#j1", "result#000007")
    assert keys.chunk_number(keys.import_result("j1", 12).sk) == 12
    assert sorted(keys.import_chunk("j1", n).sk for n in (10, 9, 100)) == [
        keys.import_chunk("j1", n).sk for n in (9, 10, 100)
    ]
    assert keys.import_listing(created_at="2026", job_id="j1") == ("imports", "2026#j1")
    assert keys.import_file("t1", "abc") == ("import_files#t1", "abc")
    assert keys.active_import("j1") == ("imports#active", "j1")


def test_enrollment_index_keys__newest_first_in_every_list_index_and_cpf_only_when_known():
    with_cpf = keys.enrollment_index_keys(
        enrollment_id="e1", created_at="2026-01-02", tenant_id="t1", course_id="c1", email="a@b.c", cpf="52998224725"
    )
    without = keys.enrollment_index_keys(
        enrollment_id="e1", created_at="2026-01-02", tenant_id="t1", course_id="c1", email="a@b.c", cpf=None
    )

    assert with_cpf == {
        "tenant_pk": "t1#2",
        "tenant_sk": "2026-01-02#e1",
        "email_pk": "a@b.c",
        "email_sk": "2026-01-02#e1",
        "course_pk": "c1#2",
        "tenant_course_pk": "t1#c1#2",
        "list_shard": keys.list_shard("e1"),
        "cpf_pk": "52998224725",
    }
    assert "cpf_pk" not in without


@override_settings(LIFECYCLE_DUE_SHARDS=4, ENROLLMENT_LIST_SHARDS=3)
def test_shards__day_and_hash__stable_and_within_the_configured_count():
    due_at = datetime(2026, 5, 6, 23, 59, tzinfo=UTC)
    shards = {keys.due_shard(enrollment_id=f"e{n}", event="course_expired", due_at=due_at) for n in range(200)}

    assert shards == {keys.due_partition("2026-05-06", n) for n in range(4)} == {f"2026-05-06#{n}" for n in range(4)}
    assert keys.due_shard(enrollment_id="e1", event="course_expired", due_at=due_at) == keys.due_shard(
        enrollment_id="e1", event="course_expired", due_at=due_at
    )
    assert (
        {keys.list_shard(f"e{n}") for n in range(200)}
        == set(keys.list_shards())
        == {
            "enrollments#0",
            "enrollments#1",
            "enrollments#2",
        }
    )


def test_keys__catalog_history__a_partition_per_company_and_per_course_apart_from_their_lists():
    assert keys.company_history("t1") == "company#t1" and keys.course_history("c1") == "course#c1"
    assert keys.catalog_audit_event("course#c1", at_iso="2026-01-02T03:04:05.000000Z", suffix="abc") == (
        "course#c1",
        "audit#2026-01-02T03:04:05.000000Z#abc",
    )


def test_keys__lifecycle_failures__a_page_names_one_by_its_sort_key_and_each_company_has_an_index_partition():
    failure = keys.lifecycle_failure(
        failed_at="2026-01-02T03:04:05.000000Z", enrollment_id="e1", event="course_expired"
    )

    assert keys.lifecycle_failure_of_sk(failure.sk) == failure
    assert keys.company_failures("t1") == "lifecycle_failures#t1"


def test_keys__bulk_cancel__job_chunks_and_results_share_the_job_partition_and_the_list_sorts_by_time():
    assert keys.bulk_cancel_job("j1") == ("bulk_cancel#j1", "0")
    assert keys.bulk_cancel_chunk("j1", 3) == ("bulk_cancel#j1", "chunk#000003")
    assert keys.bulk_cancel_result("j1", 3) == ("bulk_cancel#j1", "result#000003")
    assert keys.chunk_number(keys.bulk_cancel_result("j1", 12).sk) == 12
    assert keys.bulk_cancel_listing(created_at="2026-01-02T03:04:05.000000Z", job_id="j1") == (
        "bulk_cancels",
        "2026-01-02T03:04:05.000000Z#j1",
    )
    assert keys.bulk_cancel_partition("j1") != keys.import_partition("j1")
    assert keys.active_bulk_cancel("j1") == ("bulk_cancels#active", "j1") != keys.active_import("j1")


def test_keys__renewal__job_chunks_and_results_share_the_job_partition_and_the_list_sorts_by_time():
    assert keys.renewal_job("j1") == ("renewal#j1", "0")
    assert keys.renewal_chunk("j1", 3) == ("renewal#j1", "chunk#000003")
    assert keys.renewal_result("j1", 3) == ("renewal#j1", "result#000003")
    assert keys.renewal_listing(created_at="2026-01-02T03:04:05.000000Z", job_id="j1") == (
        "renewals",
        "2026-01-02T03:04:05.000000Z#j1",
    )
    assert keys.renewal_partition("j1") not in (keys.bulk_cancel_partition("j1"), keys.import_partition("j1"))
    assert keys.active_renewal("j1") == ("renewals#active", "j1") != keys.active_bulk_cancel("j1")


def test_sharded_partitions__shard_0_is_the_partition_before_shards_and_readers_list_every_shard(settings):
    settings.VACANCY_SHARDS = settings.ENROLLMENT_INDEX_SHARDS = settings.ORDER_USE_SHARDS = 4

    assert keys.vacancies("t1") == ["vacancies#t1", "vacancies#t1#1", "vacancies#t1#2", "vacancies#t1#3"]
    assert keys.tenant_shards("t1") == ["t1", "t1#1", "t1#2", "t1#3"]
    assert keys.tenant_course_shards("t1", "c1") == ["t1#c1", "t1#c1#1", "t1#c1#2", "t1#c1#3"]
    assert keys.course_shards("c1") == ["c1", "c1#1", "c1#2", "c1#3"]
    assert keys.order_use_partitions("o1") == ["o1", "o1#1", "o1#2", "o1#3"]
    seats = {keys.vacancy("t1", order_id="o1", seat_id=f"s{n}").pk for n in range(200)}
    assert seats == set(keys.vacancies("t1"))
    index_keys = [
        keys.enrollment_index_keys(
            enrollment_id=f"e{n}", created_at="2026", tenant_id="t1", course_id="c1", email="a@b.c", cpf=None
        )
        for n in range(200)
    ]
    assert {item["tenant_pk"] for item in index_keys} == set(keys.tenant_shards("t1"))
    assert {item["course_pk"] for item in index_keys} == set(keys.course_shards("c1"))
    assert {item["tenant_course_pk"] for item in index_keys} == set(keys.tenant_course_shards("t1", "c1"))


def test_sharded_partitions__one_shard__are_the_partitions_before_shards(settings):
    settings.VACANCY_SHARDS = settings.ENROLLMENT_INDEX_SHARDS = settings.ORDER_USE_SHARDS = 1

    assert keys.vacancy("t1", order_id="o1", seat_id="s3") == ("vacancies#t1", "o1#s3")
    assert keys.generated_item("o1", "e1") == ("o1", "generated_items#e1")
    index_keys = keys.enrollment_index_keys(
        enrollment_id="e1", created_at="2026", tenant_id="t1", course_id="c1", email="a@b.c", cpf=None
    )
    assert (index_keys["tenant_pk"], index_keys["course_pk"], index_keys["tenant_course_pk"]) == ("t1", "c1", "t1#c1")


@override_settings(ENROLLMENT_LIST_SHARDS=4, LIFECYCLE_DUE_SHARDS=4, RECENT_SHARDS=4, NAME_INDEX_SHARDS=4)
def test_shard_keys__written_by_earlier_versions__stay_byte_identical():
    # Strings the md5 shards gave before they shared keys.shard_number: stored items and index rows keep them.
    due_at = datetime(2026, 5, 6, 23, 59, tzinfo=UTC)

    assert [keys.list_shard(f"e{n}") for n in range(6)] == [
        "enrollments#2",
        "enrollments#2",
        "enrollments#3",
        "enrollments#0",
        "enrollments#1",
        "enrollments#1",
    ]
    assert [keys.due_shard(enrollment_id=f"e{n}", event="course_expired", due_at=due_at) for n in range(6)] == [
        "2026-05-06#2",
        "2026-05-06#2",
        "2026-05-06#1",
        "2026-05-06#2",
        "2026-05-06#0",
        "2026-05-06#3",
    ]
    recent = [
        keys.recent_action_keys(author_id="7", at_iso="2026-01-02T03:04:05.000000Z", pk=f"e{n}", sk="audit#x")
        for n in range(6)
    ]
    assert [item["recent_pk"] for item in recent] == [
        "recent#3",
        "recent#0",
        "recent#0",
        "recent#2",
        "recent#0",
        "recent#2",
    ]
    assert recent[1] == {
        "actor_pk": "actor#7",
        "recent_pk": "recent#0",
        "recent_sk": "2026-01-02T03:04:05.000000Z#e1#audit#x",
    }
    assert [keys.name_word("maria", created_at="2026-01-02", enrollment_id=f"e{n}").pk for n in range(4)] == [
        "names#ma#2",
        "names#ma#2",
        "names#ma#3",
        "names#ma",
    ]


def test_recent_shards__a_setting__readers_list_as_many_partitions_as_writers_use(settings):
    settings.RECENT_SHARDS = 2

    written = {
        keys.recent_action_keys(author_id="7", at_iso="2026", pk=f"e{n}", sk="audit#x")["recent_pk"] for n in range(50)
    }

    assert written == set(keys.recent_shards()) == {"recent#0", "recent#1"}


def test_keys__compliance_digest__contacts_digests_their_markers_and_failures():
    assert keys.hr_contact("t1", "k1") == ("contacts#t1", "k1") and keys.hr_contacts("t1") == "contacts#t1"
    assert keys.digest("t1", "2026-W49") == ("digest#t1", "2026-W49") and keys.digests("t1") == "digest#t1"
    assert keys.active_digest("t1", "now-x") == ("digests#active", "t1#now-x")
    assert keys.digest_of_active("demo-acme#2026-12") == keys.digest("demo-acme", "2026-12")
    assert keys.digest_failure(failed_at="2026", company_id="t1", period="2026-12") == (
        "digest_failures",
        "2026#t1#2026-12",
    )
    assert keys.digest_failure_of_sk("2026#t1#2026-12") == ("digest_failures", "2026#t1#2026-12")
