"""Every key of the data model: one function per item, named after it, and the index keys.

Nothing else in the code writes a key string. A function returns the item's
``Key(pk, sk)`` (``Model(*key, ...)`` builds the item, ``Model.get(*key)`` reads it);
a partition that is queried has a function or constant of its own, and so has the
sort-key prefix of items read by ``begins_with``. ``docs/architecture.md`` shows
the same table.
"""

import hashlib
from datetime import datetime
from typing import NamedTuple

from django.conf import settings

from ..clock import to_iso


class Key(NamedTuple):
    """The hash key and range key of one item (``order_id`` and ``sk`` in the orders table)."""

    pk: str
    sk: str


# DynamoDB refuses a read or write whose partition key passes 2,048 bytes or sort key 1,024 bytes
# (ValidationException): no item has such a key.
MAX_PK_BYTES, MAX_SK_BYTES = 2048, 1024


def storable(key: Key) -> bool:
    """Return whether DynamoDB takes ``key``: a key it refuses names no item (not a storage outage)."""
    return 0 < len(key.pk.encode()) <= MAX_PK_BYTES and 0 < len(key.sk.encode()) <= MAX_SK_BYTES


# The enrollment partition: ``id = <enrollment_id>``.

ENROLLMENT_SK = "0"
SCHEDULE_PREFIX = "schedules#"
AUDIT_PREFIX = "audit#"


def enrollment(enrollment_id: str) -> Key:
    return Key(enrollment_id, ENROLLMENT_SK)


def tenant_metadata(enrollment_id: str) -> Key:
    return Key(enrollment_id, "metadata#tenant")


def schedule(enrollment_id: str, event: str) -> Key:
    """Return the key of the lifecycle record of ``event``."""
    return Key(enrollment_id, SCHEDULE_PREFIX + event)


def schedule_event(sk: str) -> str:
    """Return the event a lifecycle record's sort key names."""
    return sk.removeprefix(SCHEDULE_PREFIX)


def lock_metadata(enrollment_id: str) -> Key:
    return Key(enrollment_id, "metadata#lock")


def deduplication_window(enrollment_id: str) -> Key:
    return Key(enrollment_id, "metadata#deduplication_window")


def cancel_policy(enrollment_id: str) -> Key:
    return Key(enrollment_id, "cancel_policy")


def parent_vacancy(enrollment_id: str) -> Key:
    return Key(enrollment_id, "parent_vacancy")


def canceled_date(enrollment_id: str) -> Key:
    return Key(enrollment_id, "canceled_date")


def audit_event(enrollment_id: str, *, at_iso: str, suffix: str) -> Key:
    """Return the key of an audit event: sorted by time, ``suffix`` keeps events of the same instant apart."""
    return Key(enrollment_id, f"{AUDIT_PREFIX}{at_iso}#{suffix}")


# Partitions of their own.

LOCKS = "lock"
COMPANIES = "companies"
COURSES = "courses"
SCHEDULER = "scheduler"
LIFECYCLE_FAILURES = "lifecycle_failures"
IMPORTS = "imports"
ACTIVE_IMPORTS = "imports#active"


def lock_hash(*, user_id: str, course_id: str) -> str:
    """Return the sort key of a person's deduplication lock in a course (the original rule: md5 of both ids)."""
    return hashlib.md5(f"{user_id}{course_id}".encode()).hexdigest()


def lock(lock_hash: str) -> Key:
    return Key(LOCKS, lock_hash)


def shard_number(value: str, count: int) -> int:
    """Return the shard (``0`` to ``count - 1``) of ``value``: an md5 of it, so every writer agrees.

    The one shard function of the data model: seats, seat uses, the list and name indexes, the ``due``
    index and recent actions all take their shard from it (the first 8 hex digits of the md5, modulo).
    """
    return int(hashlib.md5(value.encode()).hexdigest()[:8], 16) % count


def sharded(partition: str, number: int) -> str:
    """Return shard ``number`` of a partition: shard 0 is the partition itself (items written before shards)."""
    return partition if number == 0 else f"{partition}#{number}"


def vacancies(tenant_id: str) -> list[str]:
    """Return the partitions of a company's free seats: ``vacancies#<tenant_id>`` and its ``VACANCY_SHARDS`` shards."""
    return [sharded(f"vacancies#{tenant_id}", number) for number in range(settings.VACANCY_SHARDS)]


def vacancy(tenant_id: str, *, order_id: str, seat_id: str) -> Key:
    """Return the key of one free seat: ``<order_id>#<seat_id>``, a random id that spreads concurrent takers.

    The seat id also picks the shard of the company's seats partition, so taking and
    giving back seats spreads over ``VACANCY_SHARDS`` partitions.
    """
    partition = sharded(f"vacancies#{tenant_id}", shard_number(seat_id, settings.VACANCY_SHARDS))
    return Key(partition, seat_sort_key(order_id=order_id, seat_id=seat_id))


def seat_sort_key(*, order_id: str, seat_id: str) -> str:
    """Return a seat's sort key in its company's seat partitions, ``<order_id>#<seat_id>``: also where a read of
    an order's seats may start (an import's seat pool starts at a random seat id)."""
    return f"{order_id}#{seat_id}"


def company(company_id: str) -> Key:
    return Key(COMPANIES, company_id)


def course(course_id: str) -> Key:
    return Key(COURSES, course_id)


def company_history(company_id: str) -> str:
    """Return the partition of a company's own audit events (its edits), apart from the list of companies."""
    return f"company#{company_id}"


def course_history(course_id: str) -> str:
    """Return the partition of a course's own audit events (edits, retired, restored)."""
    return f"course#{course_id}"


def history_owner(history: str) -> Key:
    """Return the key of the company or course whose history partition is ``history``."""
    kind, _hash, owner_id = history.partition("#")
    return company(owner_id) if kind == "company" else course(owner_id)


def catalog_audit_event(history: str, *, at_iso: str, suffix: str) -> Key:
    """Return the key of an audit event in ``history`` (``company_history`` or ``course_history``), sorted by time."""
    return Key(history, f"{AUDIT_PREFIX}{at_iso}#{suffix}")


def company_orders(tenant_id: str) -> str:
    """Return the partition that lists a company's orders."""
    return f"orders#{tenant_id}"


def company_order(tenant_id: str, *, created_at: str, order_id: str) -> Key:
    return Key(company_orders(tenant_id), f"{created_at}#{order_id}")


def user(email: str) -> Key:
    """Return the key of a person: the email is the key, so one email is one person."""
    return Key(f"user#{email}", "0")


CPF_PREFIX = "cpf#"
ACTIVE_PREFIX = "active#"


def cpf_owner(cpf: str) -> Key:
    """Return the key of the person a CPF (11 digits) belongs to: one person per CPF."""
    return Key(f"{CPF_PREFIX}{cpf}", "0")


def cpf_of_owner(pk: str) -> str:
    """Return the CPF a ``cpf_owner`` partition names."""
    return pk.removeprefix(CPF_PREFIX)


CNPJ_PREFIX = "cnpj#"


def cnpj_holder(cnpj: str) -> Key:
    """Return the key of the company a CNPJ (14 digits) belongs to: one company per CNPJ."""
    return Key(f"{CNPJ_PREFIX}{cnpj}", "0")


def active_enrollments(*, user_id: str, course_id: str) -> Key:
    """Return the key of the set of a person's active enrollments in a course."""
    return Key(f"{ACTIVE_PREFIX}{user_id}", course_id)


def user_of_active(pk: str) -> str:
    """Return the user id an ``active_enrollments`` partition names."""
    return pk.removeprefix(ACTIVE_PREFIX)


def scheduler_cursor() -> Key:
    return Key(SCHEDULER, "cursor#due")


def lifecycle_failure(*, failed_at: str, enrollment_id: str, event: str) -> Key:
    return Key(LIFECYCLE_FAILURES, f"{failed_at}#{enrollment_id}#{event}")


def lifecycle_failure_of_sk(sk: str) -> Key:
    """Return the key of the failure whose sort key is ``sk`` (a page names a failure by it)."""
    return Key(LIFECYCLE_FAILURES, sk)


def company_failures(tenant_id: str) -> str:
    """Return the ``failures_by_tenant`` index partition of a company's failed lifecycle records."""
    return f"{LIFECYCLE_FAILURES}#{tenant_id}"


# Imports: the job's partition holds the job, its chunks of rows and their results.

IMPORT_JOB_SK = "0"
CHUNK_PREFIX = "chunk#"
RESULT_PREFIX = "result#"


def import_partition(job_id: str) -> str:
    return f"import#{job_id}"


def import_job(job_id: str) -> Key:
    return Key(import_partition(job_id), IMPORT_JOB_SK)


def import_chunk(job_id: str, number: int) -> Key:
    return Key(import_partition(job_id), f"{CHUNK_PREFIX}{number:06d}")


def import_result(job_id: str, number: int) -> Key:
    return Key(import_partition(job_id), f"{RESULT_PREFIX}{number:06d}")


def chunk_number(sk: str) -> int:
    """Return the chunk number of a chunk or result sort key."""
    return int(sk.split("#", 1)[1])


def import_listing(*, created_at: str, job_id: str) -> Key:
    return Key(IMPORTS, f"{created_at}#{job_id}")


def import_files(tenant_id: str) -> str:
    """Return the partition of the files imported for a company, by sha256."""
    return f"import_files#{tenant_id}"


def import_file(tenant_id: str, file_hash: str) -> Key:
    return Key(import_files(tenant_id), file_hash)


def active_import(job_id: str) -> Key:
    return Key(ACTIVE_IMPORTS, job_id)


# The orders table: ``order_id`` + ``sk``.

ORDER_SK = "0"


def order(order_id: str) -> Key:
    return Key(order_id, ORDER_SK)


def generated_item(order_id: str, enrollment_id: str) -> Key:
    """Return the key of a seat's use by an enrollment: in one of ``ORDER_USE_SHARDS`` partitions of the order.

    Shard 0 is the order's own partition; the others are ``<order_id>#<n>``, by an md5 of
    the enrollment id, so an import's uses of one big order spread over partitions.
    """
    return Key(
        sharded(order_id, shard_number(enrollment_id, settings.ORDER_USE_SHARDS)), f"generated_items#{enrollment_id}"
    )


def order_use_partitions(order_id: str) -> list[str]:
    """Return every partition that holds an order's seat uses (for maintenance and tests: the code reads by key)."""
    return [sharded(order_id, number) for number in range(settings.ORDER_USE_SHARDS)]


# Index keys.

LIST_SHARD_PREFIX = "enrollments#"


def list_shard(enrollment_id: str) -> str:
    """Return the ``all_enrollments`` index partition of an enrollment: one of ``ENROLLMENT_LIST_SHARDS``."""
    return f"{LIST_SHARD_PREFIX}{shard_number(enrollment_id, settings.ENROLLMENT_LIST_SHARDS)}"


def list_shards() -> list[str]:
    """Return every partition of the ``all_enrollments`` index."""
    return [f"{LIST_SHARD_PREFIX}{number}" for number in range(settings.ENROLLMENT_LIST_SHARDS)]


def tenant_course(tenant_id: str, course_id: str) -> str:
    """Return the ``by_tenant_course`` index partition (shard 0 of it, see ``tenant_course_shards``)."""
    return f"{tenant_id}#{course_id}"


def _index_shard(enrollment_id: str) -> int:
    return shard_number(enrollment_id, settings.ENROLLMENT_INDEX_SHARDS)


def _index_shards(partition: str) -> list[str]:
    return [sharded(partition, number) for number in range(settings.ENROLLMENT_INDEX_SHARDS)]


def tenant_shards(tenant_id: str) -> list[str]:
    """Return every ``by_tenant`` partition of a company: ``<tenant_id>`` and ``<tenant_id>#<n>``."""
    return _index_shards(tenant_id)


def tenant_course_shards(tenant_id: str, course_id: str) -> list[str]:
    """Return every ``by_tenant_course`` partition of a company's course."""
    return _index_shards(tenant_course(tenant_id, course_id))


def course_shards(course_id: str) -> list[str]:
    """Return every ``by_course`` partition of a course."""
    return _index_shards(course_id)


def enrollment_index_keys(
    *, enrollment_id: str, created_at: str, tenant_id: str, course_id: str, email: str, cpf: str | None
) -> dict[str, str]:
    """Return the attributes that put an enrollment in its list indexes, newest first in each.

    ``by_tenant``, ``by_email``, ``by_course``, ``by_tenant_course`` and ``all_enrollments``
    always; ``by_cpf`` only with a CPF (the index is sparse). ``by_tenant``, ``by_course`` and
    ``by_tenant_course`` take shard ``md5(enrollment_id) % ENROLLMENT_INDEX_SHARDS`` of their
    partition (``sharded``): readers query every shard and merge them newest first.
    """
    newest_first = f"{created_at}#{enrollment_id}"
    # A company's and a course's partitions take an import's every row: spread over ENROLLMENT_INDEX_SHARDS.
    shard = _index_shard(enrollment_id)
    keys = {
        "tenant_pk": sharded(tenant_id, shard),
        "tenant_sk": newest_first,
        "email_pk": email,
        "email_sk": newest_first,
        "course_pk": sharded(course_id, shard),
        "tenant_course_pk": sharded(tenant_course(tenant_id, course_id), shard),
        "list_shard": list_shard(enrollment_id),
    }
    if cpf:
        keys["cpf_pk"] = cpf
    return keys


def due_partition(day: str, shard: int) -> str:
    """Return one partition of the ``due`` index: a UTC day (``YYYY-MM-DD``) and a shard number."""
    return f"{day}#{shard}"


def due_day(shard_key: str) -> str:
    """Return the UTC day (``YYYY-MM-DD``) of a ``due`` index partition."""
    return shard_key.split("#", 1)[0]


def due_shard(*, enrollment_id: str, event: str, due_at: datetime) -> str:
    """Return the ``due`` index partition of a lifecycle record: its UTC day and a shard from a hash of its key."""
    shard = shard_number(f"{enrollment_id}{SCHEDULE_PREFIX}{event}", settings.LIFECYCLE_DUE_SHARDS)
    return due_partition(to_iso(due_at)[:10], shard)


# Recent actions: what staff did, a staff member's own (``by_actor``) and everyone's (``recent_actions``).

ACTOR_PREFIX = "actor#"
RECENT_PREFIX = "recent#"


def actor_actions(author_id: str) -> str:
    """Return the ``by_actor`` index partition of one staff member's actions."""
    return f"{ACTOR_PREFIX}{author_id}"


def recent_shards() -> list[str]:
    """Return every partition of the ``recent_actions`` index: one of ``RECENT_SHARDS`` each."""
    return [f"{RECENT_PREFIX}{number}" for number in range(settings.RECENT_SHARDS)]


def recent_action_keys(*, author_id: str, at_iso: str, pk: str, sk: str) -> dict[str, str]:
    """Return the attributes that put the item ``(pk, sk)``, a staff member's action at ``at_iso``, in
    ``by_actor`` and ``recent_actions``, newest first in each (the item's key keeps two of one instant apart)."""
    number = shard_number(f"{pk}#{sk}", settings.RECENT_SHARDS)
    return {
        "actor_pk": actor_actions(author_id),
        "recent_pk": f"{RECENT_PREFIX}{number}",
        "recent_sk": f"{at_iso}#{pk}#{sk}",
    }


# Bulk cancels: the job's partition holds the job, its chunks of enrollment ids and their results.

BULK_CANCELS = "bulk_cancels"


def bulk_cancel_partition(job_id: str) -> str:
    return f"bulk_cancel#{job_id}"


def bulk_cancel_job(job_id: str) -> Key:
    return Key(bulk_cancel_partition(job_id), IMPORT_JOB_SK)


def bulk_cancel_chunk(job_id: str, number: int) -> Key:
    return Key(bulk_cancel_partition(job_id), f"{CHUNK_PREFIX}{number:06d}")


def bulk_cancel_result(job_id: str, number: int) -> Key:
    return Key(bulk_cancel_partition(job_id), f"{RESULT_PREFIX}{number:06d}")


def bulk_cancel_listing(*, created_at: str, job_id: str) -> Key:
    return Key(BULK_CANCELS, f"{created_at}#{job_id}")


ACTIVE_BULK_CANCELS = "bulk_cancels#active"


def active_bulk_cancel(job_id: str) -> Key:
    return Key(ACTIVE_BULK_CANCELS, job_id)


# Renewals ("reciclagem") from the compliance report: the job's partition holds the job, its chunks of certificate
# (enrollment) ids and their results, as a bulk cancel's.

RENEWALS = "renewals"


def renewal_partition(job_id: str) -> str:
    return f"renewal#{job_id}"


def renewal_job(job_id: str) -> Key:
    return Key(renewal_partition(job_id), IMPORT_JOB_SK)


def renewal_chunk(job_id: str, number: int) -> Key:
    return Key(renewal_partition(job_id), f"{CHUNK_PREFIX}{number:06d}")


def renewal_result(job_id: str, number: int) -> Key:
    return Key(renewal_partition(job_id), f"{RESULT_PREFIX}{number:06d}")


def renewal_listing(*, created_at: str, job_id: str) -> Key:
    return Key(RENEWALS, f"{created_at}#{job_id}")


ACTIVE_RENEWALS = "renewals#active"


def active_renewal(job_id: str) -> Key:
    return Key(ACTIVE_RENEWALS, job_id)


# Automatic renewals waiting for a seat: one partition per company, sorted by course, so the seats of one course
# find their people with ``begins_with``.


def renewals_pending(tenant_id: str) -> str:
    return f"renewals_pending#{tenant_id}"


def renewals_pending_of_course(course_id: str) -> str:
    """Return the sort-key prefix of one course's pending renewals."""
    return f"{course_id}#"


def renewal_pending(tenant_id: str, *, course_id: str, renewed_id: str) -> Key:
    """Return the key of the pending renewal of the certificate (enrollment) ``renewed_id``."""
    return Key(renewals_pending(tenant_id), f"{renewals_pending_of_course(course_id)}{renewed_id}")


# Exports run in the background (over ``EXPORT_STREAM_MAX_ROWS`` rows): ``export#<job_id>``, listed newest first
# in ``exports``, which the retention sweep reads oldest first.

EXPORTS = "exports"


def export_job(job_id: str) -> Key:
    return Key(f"export#{job_id}", IMPORT_JOB_SK)


def export_listing(*, created_at: str, job_id: str) -> Key:
    return Key(EXPORTS, f"{created_at}#{job_id}")


# Name search: one item per indexed word of a person's name (``rules.name_index_words``), keyed by the word's
# first two characters (``names#<xx>[#n]``, the global search queries the table) and sorted by ``name_sort_key``;
# in ``by_tenant_name`` for one company's search. Words written before issue 23 sit in the enrollment's partition
# (``legacy_name_word``) and in ``by_name``: read until ``manage.py index_names`` has moved them.

LEGACY_NAME_WORD_PREFIX = "name#"
NAME_PARTITION_CHARS = 2
_NEWEST_FIRST = str.maketrans("0123456789", "9876543210")


def name_word(word: str, *, created_at: str, enrollment_id: str) -> Key:
    """Return the key of a word of an enrollment's name: ``(names#<xx>[#n], <name_sort_key>)``.

    The shard is ``md5(enrollment_id) % NAME_INDEX_SHARDS``: every word of one enrollment lands in
    the same shard number, and a common prefix (``ma``) spreads over the shards.
    """
    shard = shard_number(enrollment_id, settings.NAME_INDEX_SHARDS)
    return Key(sharded(names(word), shard), name_sort_key(word, created_at=created_at, enrollment_id=enrollment_id))


def legacy_name_word(enrollment_id: str, word: str) -> Key:
    """Return the key a word had before issue 23: ``(<enrollment_id>, 'name#<word>')``, in ``by_name``."""
    return Key(enrollment_id, f"{LEGACY_NAME_WORD_PREFIX}{word}")


def names(word: str) -> str:
    """Return the partition of a word (or of a search prefix): ``names#<first two characters>``.

    Shard 0 of it: see ``name_shards``. The table's word items and the legacy ``by_name`` entries share it.
    """
    return f"names#{word[:NAME_PARTITION_CHARS]}"


def tenant_names(tenant_id: str, word: str) -> str:
    """Return the ``by_tenant_name`` index partition: ``names#<tenant_id>#<first two characters>`` (shard 0)."""
    return f"names#{tenant_id}#{word[:NAME_PARTITION_CHARS]}"


def name_shards(word: str) -> list[str]:
    """Return every partition of a word (the table's and ``by_name``'s): ``NAME_INDEX_SHARDS`` shards of ``names``."""
    return [sharded(names(word), number) for number in range(settings.NAME_INDEX_SHARDS)]


def tenant_name_shards(tenant_id: str, word: str) -> list[str]:
    """Return every ``by_tenant_name`` partition of a company's word."""
    return [sharded(tenant_names(tenant_id, word), number) for number in range(settings.NAME_INDEX_SHARDS)]


def name_sort_key(word: str, *, created_at: str, enrollment_id: str) -> str:
    """Return ``<word>#<created_at, digits inverted>#<enrollment_id>``: by word, then newest first.

    ``begins_with(<prefix>)`` finds the words that start with a prefix; inverting the
    digits of the fixed-width time makes an ascending read give the newest first.
    """
    return f"{word}#{created_at.translate(_NEWEST_FIRST)}#{enrollment_id}"


def name_of_sort_key(name_sk: str) -> tuple[str, str]:
    """Return the word and the enrollment id a ``name_sort_key`` names (neither a word nor a time holds ``#``)."""
    word, _, rest = name_sk.partition("#")
    return word, rest.partition("#")[2]


def name_word_index_keys(*, word: str, tenant_id: str, created_at: str, enrollment_id: str) -> dict[str, str]:
    """Return the attributes that put a name word item in ``by_tenant_name``, in the shard of its key (``name_word``)."""
    shard = shard_number(enrollment_id, settings.NAME_INDEX_SHARDS)
    return {
        "tenant_name_pk": sharded(tenant_names(tenant_id, word), shard),
        "name_sk": name_sort_key(word, created_at=created_at, enrollment_id=enrollment_id),
    }


# The compliance digest: a company's HR contacts, and one digest item per company and period (``digests/``).

DIGESTS_ACTIVE = "digests#active"
DIGEST_FAILURES = "digest_failures"


def hr_contacts(company_id: str) -> str:
    """Return the partition of a company's HR contacts: one query lists them."""
    return f"contacts#{company_id}"


def hr_contact(company_id: str, contact_id: str) -> Key:
    return Key(hr_contacts(company_id), contact_id)


def hr_contact_roster(company_id: str) -> Key:
    """Return the key of the version of a company's HR contacts (sorts after every contact id)."""
    return Key(hr_contacts(company_id), "~roster")


def digests(company_id: str) -> str:
    """Return the partition of a company's digests, one item per period (``2026-W49``, ``2026-12``, ``now-<token>``)."""
    return f"digest#{company_id}"


def digest(company_id: str, period: str) -> Key:
    """Return the key of a company's digest of ``period``: put once, so a period's digest is created once."""
    return Key(digests(company_id), period)


def active_digest(company_id: str, period: str) -> Key:
    """Return the key of the marker of a digest not yet done (pending, sending, waiting to retry)."""
    return Key(DIGESTS_ACTIVE, f"{company_id}#{period}")


def digest_of_active(sk: str) -> Key:
    """Return the key of the digest an ``active_digest`` sort key names (a company id never holds ``#``)."""
    company_id, _hash, period = sk.partition("#")
    return digest(company_id, period)


def digest_failure(*, failed_at: str, company_id: str, period: str) -> Key:
    return Key(DIGEST_FAILURES, f"{failed_at}#{company_id}#{period}")


def digest_failure_of_sk(sk: str) -> Key:
    """Return the key of the digest failure whose sort key is ``sk`` (a page names a failure by it)."""
    return Key(DIGEST_FAILURES, sk)


# The clients' API (``client_api/``): keys of the companies' HR systems, and the first answer of each idempotency key.

API_KEYS = "api_keys"


def api_key(key_id: str) -> Key:
    """Return the key of an API key's item: a request names only the key's id, so one read finds its company."""
    return Key(API_KEYS, key_id)


def company_api_keys(company_id: str) -> str:
    """Return the partition listing a company's API keys: one query lists them."""
    return f"{API_KEYS}#{company_id}"


def company_api_key(company_id: str, key_id: str) -> Key:
    return Key(company_api_keys(company_id), key_id)


def idempotent_request(company_id: str, idempotency_key: str) -> Key:
    """Return the key of the first answer to ``Idempotency-Key``: per company, the client's key hashed (any length)."""
    return Key(f"idempotency#{company_id}", hashlib.sha256(idempotency_key.encode()).hexdigest())


# Webhooks: one endpoint per company, the events of its enrollments, and the events still to deliver.

WEBHOOKS = "webhooks"
WEBHOOK_DUE_PREFIX = "webhooks_due#"


def webhook_endpoint(company_id: str) -> Key:
    """Return the key of a company's webhook endpoint: one per company, found by the company's id in one read."""
    return Key(WEBHOOKS, company_id)


def webhook_events(company_id: str) -> str:
    """Return the partition of a company's webhook events: one query lists them, newest first (the delivery log)."""
    return f"webhook_events#{company_id}"


def webhook_event(company_id: str, *, occurred_at: str, event_id: str) -> Key:
    """Return the key of one webhook event: the time of the change it tells, then its id (stable for the change)."""
    return Key(webhook_events(company_id), f"{occurred_at}#{event_id}")


def webhook_due_shards() -> list[str]:
    """Return the partitions of the ``webhook_due`` index: beat's tick queries each."""
    return [f"{WEBHOOK_DUE_PREFIX}{number}" for number in range(settings.WEBHOOK_DUE_SHARDS)]


def webhook_due_shard(event_id: str) -> str:
    """Return the ``webhook_due`` index partition of an event still to deliver."""
    return f"{WEBHOOK_DUE_PREFIX}{shard_number(event_id, settings.WEBHOOK_DUE_SHARDS)}"
