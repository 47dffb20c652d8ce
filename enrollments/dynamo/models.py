"""PynamoDB models of the single main table and of the orders table.

Every item of the main table is a subclass of ``MainItem``; the ``kind``
discriminator lets one query of a partition return each item as its own class.
Table names, endpoint and region are set by ``enrollments.dynamo.connection.configure``
from Django settings, never at import time.
"""

import json
import zlib

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.constants import BINARY, STRING
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from . import keys


class MainMeta:
    table_name = "enrollments"
    billing_mode = "PAY_PER_REQUEST"
    max_pool_connections = 64


class CompressedJSONAttribute(Attribute):
    """JSON written as one zlib-compressed binary value: a job's chunk and result items, which a write pays for by
    the KB (their rows repeat course ids, results and domains, and shrink several times).

    Reads the plain JSON string that ``JSONAttribute`` wrote under the same name, so items stored before stay readable.
    """

    attr_type = BINARY

    def serialize(self, value) -> bytes | None:
        if value is None:
            return None
        return zlib.compress(json.dumps(value, separators=(",", ":")).encode())

    def deserialize(self, value):
        text = value if isinstance(value, str) else zlib.decompress(value).decode()
        return json.loads(text, strict=False)

    def get_value(self, value: dict):
        return value[STRING] if STRING in value else super().get_value(value)


class PersonAttribute(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    cpf = UnicodeAttribute(null=True)


class CourseAttribute(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    access_period_days = NumberAttribute()
    certificate_validity_days = NumberAttribute()


class AuthorAttribute(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    # True for a staff member acting in the back office: their actions go into the recent-actions indexes.
    staff = BooleanAttribute(null=True)


class ByTenantIndex(GlobalSecondaryIndex):
    """Enrollments of one company, newest first (``tenant_sk`` is ``<created_at>#<id>``)."""

    class Meta:
        index_name = "by_tenant"
        projection = AllProjection()

    tenant_pk = UnicodeAttribute(hash_key=True)
    tenant_sk = UnicodeAttribute(range_key=True)


class ByEmailIndex(GlobalSecondaryIndex):
    """Enrollments of one person, by email."""

    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    email_pk = UnicodeAttribute(hash_key=True)
    email_sk = UnicodeAttribute(range_key=True)


class ByCpfIndex(GlobalSecondaryIndex):
    """Enrollments of one person, by CPF, newest first (sparse: only enrollments with a CPF)."""

    class Meta:
        index_name = "by_cpf"
        projection = AllProjection()

    cpf_pk = UnicodeAttribute(hash_key=True)
    # Every list index sorts by ``tenant_sk`` (``<created_at>#<id>``): newest first everywhere, no extra copy.
    tenant_sk = UnicodeAttribute(range_key=True)


class ByCourseIndex(GlobalSecondaryIndex):
    """Enrollments in one course across companies, newest first."""

    class Meta:
        index_name = "by_course"
        projection = AllProjection()

    course_pk = UnicodeAttribute(hash_key=True)
    tenant_sk = UnicodeAttribute(range_key=True)


class ByTenantCourseIndex(GlobalSecondaryIndex):
    """Enrollments of one company in one course (``<tenant_id>#<course_id>``), newest first."""

    class Meta:
        index_name = "by_tenant_course"
        projection = AllProjection()

    tenant_course_pk = UnicodeAttribute(hash_key=True)
    tenant_sk = UnicodeAttribute(range_key=True)


class AllEnrollmentsIndex(GlobalSecondaryIndex):
    """Every enrollment, newest first, spread over ``ENROLLMENT_LIST_SHARDS`` partitions (``enrollments#<n>``).

    A single partition for all enrollments would take every enrollment write of
    the system; a few shards spread the writes, and a list page merges them.
    """

    class Meta:
        index_name = "all_enrollments"
        projection = AllProjection()

    list_shard = UnicodeAttribute(hash_key=True)
    tenant_sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """Lifecycle records still pending, by ``<YYYY-MM-DD>#<shard>`` and due time."""

    class Meta:
        index_name = "due"
        # Keys, plus the discriminator PynamoDB filters on.
        projection = IncludeProjection(["kind"])

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


# What a line of "Recent actions" shows, without reading the item again: the indexes below project only these.
RECENT_ACTION_ATTRIBUTES = [
    "kind",
    "created_at",
    "action",
    "author",
    "reason",
    "detail",
    "tenant_name",
    "file_name",
    "rows_total",
    "job_id",
    "total",
    "import_id",
]


class ByActorIndex(GlobalSecondaryIndex):
    """One staff member's actions (``actor#<author id>``), newest first by ``recent_sk`` (``<at>#<pk>#<sk>``)."""

    class Meta:
        index_name = "by_actor"
        projection = IncludeProjection(RECENT_ACTION_ATTRIBUTES)

    actor_pk = UnicodeAttribute(hash_key=True)
    recent_sk = UnicodeAttribute(range_key=True)


class RecentActionsIndex(GlobalSecondaryIndex):
    """Every staff member's actions, newest first, over ``RECENT_SHARDS`` partitions (a setting) (``recent#<n>``)."""

    class Meta:
        index_name = "recent_actions"
        projection = IncludeProjection(RECENT_ACTION_ATTRIBUTES)

    recent_pk = UnicodeAttribute(hash_key=True)
    recent_sk = UnicodeAttribute(range_key=True)


class MainItem(Model):
    """Any item of the main table."""

    Meta = MainMeta

    id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    created_at = UnicodeAttribute(null=True)

    @property
    def key(self) -> keys.Key:
        """Return the item's stored key, whatever its hash key is called in Python (``partition`` on the catalog)."""
        return keys.Key(getattr(self, self._hash_keyname), self.sk)


class EnrollmentItem(MainItem, discriminator="enrollment"):
    """``(<enrollment_id>, '0')``: the enrollment with snapshots of person and course."""

    tenant_id = UnicodeAttribute()
    tenant_name = UnicodeAttribute()
    user = PersonAttribute()
    course = CourseAttribute()
    status = UnicodeAttribute()
    source = UnicodeAttribute()
    created_by = AuthorAttribute()
    access_expires_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)
    last_activity_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    certificate_expires_at = UnicodeAttribute(null=True)
    canceled_at = UnicodeAttribute(null=True)
    expired_at = UnicodeAttribute(null=True)
    archived_at = UnicodeAttribute(null=True)
    # The enrollment (a certificate) this one renews: a renewal ("reciclagem"), ``rules.renewal_enrollment_id`` of it.
    renews = UnicodeAttribute(null=True)

    tenant_pk = UnicodeAttribute()
    tenant_sk = UnicodeAttribute()
    email_pk = UnicodeAttribute()
    email_sk = UnicodeAttribute()
    by_tenant = ByTenantIndex()
    by_email = ByEmailIndex()
    # The list indexes below: null so that items written without them stay valid (and out of those indexes).
    cpf_pk = UnicodeAttribute(null=True)
    course_pk = UnicodeAttribute(null=True)
    tenant_course_pk = UnicodeAttribute(null=True)
    list_shard = UnicodeAttribute(null=True)
    by_cpf = ByCpfIndex()
    by_course = ByCourseIndex()
    by_tenant_course = ByTenantCourseIndex()
    all_enrollments = AllEnrollmentsIndex()


class ByNameIndex(GlobalSecondaryIndex):
    """Legacy: name word items written before issue 23, of every company, by the word's first two characters
    (``names#<xx>``), then word and newest first. New word items are keyed so in the table itself and leave this
    index; the name search reads it until ``manage.py index_names`` has moved the old words, then it holds nothing.
    """

    class Meta:
        index_name = "by_name"
        # What a search filters on before reading the enrollments: the course and every word of the name.
        projection = IncludeProjection(["kind", "course_id", "words"])

    name_pk = UnicodeAttribute(hash_key=True)
    name_sk = UnicodeAttribute(range_key=True)


class ByTenantNameIndex(GlobalSecondaryIndex):
    """Name word items of one company (``names#<tenant_id>#<xx>``), then word and newest first."""

    class Meta:
        index_name = "by_tenant_name"
        projection = IncludeProjection(["kind", "course_id", "words"])

    tenant_name_pk = UnicodeAttribute(hash_key=True)
    name_sk = UnicodeAttribute(range_key=True)


class NameWordItem(MainItem, discriminator="name_word"):
    """``(names#<xx>[#n], <word>#<created_at inverted>#<enrollment_id>)``: one word of the person's name, for the
    name search (``keys.name_word``): the global search queries the table, a company's ``by_tenant_name``.

    Written just before the enrollment (``services.name_index.name_word_items``); name, company and course never
    change, so neither does this. A word written before issue 23 has the legacy key ``(<enrollment_id>,
    'name#<word>')`` and a ``name_pk`` that puts it in ``by_name``, until ``manage.py index_names`` moves it.
    """

    tenant_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    # Every word of the name, normalized, each after a space: ``contains(words, ' <prefix>')`` is a word prefix.
    words = UnicodeAttribute()
    # Legacy words only (``by_name``).
    name_pk = UnicodeAttribute(null=True)
    tenant_name_pk = UnicodeAttribute()
    name_sk = UnicodeAttribute()
    by_name = ByNameIndex()
    by_tenant_name = ByTenantNameIndex()


class RecentActionItem(MainItem):
    """Any item that records an action (an audit event, an import, a bulk cancel): in ``by_actor`` and
    ``recent_actions`` when its ``author`` is a staff member, out of them (sparse) otherwise.

    The index attributes follow from its ``author`` and ``created_at``, so no writer can forget them; a
    job's rows carry the job's author without ``staff``, so the job shows once, not each row. A query of
    this class's indexes returns each item as its own class, and only these kinds.
    """

    actor_pk = UnicodeAttribute(null=True)
    recent_pk = UnicodeAttribute(null=True)
    recent_sk = UnicodeAttribute(null=True)
    by_actor = ByActorIndex()
    recent_actions = RecentActionsIndex()

    def __init__(self, hash_key=None, range_key=None, _user_instantiated=True, **attributes):
        author, at_iso = attributes.get("author"), attributes.get("created_at")
        if _user_instantiated and getattr(author, "staff", None) and at_iso and not attributes.get("recent_sk"):
            pk, sk = attributes.get("id", hash_key), attributes.get("sk", range_key)
            attributes.update(keys.recent_action_keys(author_id=author.id, at_iso=at_iso, pk=pk, sk=sk))
        super().__init__(hash_key, range_key, _user_instantiated=_user_instantiated, **attributes)


class TenantMetadataItem(MainItem, discriminator="metadata#tenant"):
    """``(<enrollment_id>, 'metadata#tenant')``."""

    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()


class LifecycleRecordItem(MainItem, discriminator="schedule"):
    """``(<enrollment_id>, 'schedules#<event>')``: one scheduled email or effect."""

    event = UnicodeAttribute()
    due_at = UnicodeAttribute()
    state = UnicodeAttribute()
    # Claims so far: only ever grows, since every write after a claim requires the claim's number (the fencing token).
    attempts = NumberAttribute(default=0)
    # Claims spent before staff last sent the email again: the record gets LIFECYCLE_MAX_ATTEMPTS more from there.
    attempts_before_resend = NumberAttribute(default=0)
    recipient = PersonAttribute()
    course_name = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    lease_expires_at = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    # The cause of ``last_error`` (``send_errors``), written with it; absent on records written before causes existed.
    last_error_cause = UnicodeAttribute(null=True)
    skip_reason = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # The due time as scheduled. ``due_at`` is when the scheduler looks next, which a claim
    # (to its lease's end) or a retry (to after its backoff) moves; this stays, and names the email.
    scheduled_for = UnicodeAttribute(null=True)
    # Present only while the record is pending: this keeps the ``due`` index sparse.
    due_shard = UnicodeAttribute(null=True)
    due = DueIndex()


class SchedulerCursorItem(MainItem, discriminator="scheduler_cursor"):
    """``('scheduler', 'cursor#due')``: the oldest UTC day of the ``due`` index that may hold pending records."""

    day = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)


class FailuresByTenantIndex(GlobalSecondaryIndex):
    """Failed lifecycle records of one company (``lifecycle_failures#<tenant_id>``), newest first by their ``sk``."""

    class Meta:
        index_name = "failures_by_tenant"
        projection = AllProjection()

    failures_tenant_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class LifecycleFailureItem(MainItem, discriminator="lifecycle_failure"):
    """``('lifecycle_failures', '<failed_at>#<enrollment_id>#<event>')``: a record that gave up, for staff to see.

    Sending it again deletes it, in the transaction that makes its record PENDING again.
    """

    enrollment_id = UnicodeAttribute()
    event = UnicodeAttribute()
    attempts = NumberAttribute()
    last_error = UnicodeAttribute()
    # The cause of ``last_error`` (``send_errors``); absent on failures written before causes existed.
    last_error_cause = UnicodeAttribute(null=True)
    recipient_email = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    # Null: failures written before the index existed stay valid, and out of it.
    failures_tenant_pk = UnicodeAttribute(null=True)
    by_tenant = FailuresByTenantIndex()

    def __init__(self, hash_key=None, range_key=None, _user_instantiated=True, **attributes):
        # Whoever writes a failure names its company; its index partition follows, so no writer can forget it.
        if _user_instantiated and attributes.get("tenant_id") and not attributes.get("failures_tenant_pk"):
            attributes["failures_tenant_pk"] = keys.company_failures(attributes["tenant_id"])
        super().__init__(hash_key, range_key, _user_instantiated=_user_instantiated, **attributes)


class LockItem(MainItem, discriminator="lock"):
    """``('lock', md5(user_id + course_id))``: blocks a second enrollment until ``expires_at``."""

    enrollment_id = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    # DynamoDB TTL removes the item some time after expiry; the condition checks ``expires_at``.
    ttl = NumberAttribute()


class LockMetadataItem(MainItem, discriminator="metadata#lock"):
    """``(<enrollment_id>, 'metadata#lock')``: the lock this enrollment holds."""

    hash = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    ttl = NumberAttribute()


class DeduplicationWindowItem(MainItem, discriminator="metadata#deduplication_window"):
    """``(<enrollment_id>, 'metadata#deduplication_window')``: the window used."""

    days = NumberAttribute()


class CancelPolicyItem(MainItem, discriminator="cancel_policy"):
    """``(<enrollment_id>, 'cancel_policy')``: present while a cancel refunds the seat."""


class ParentVacancyItem(MainItem, discriminator="parent_vacancy"):
    """``(<enrollment_id>, 'parent_vacancy')``: the seat this enrollment consumed.

    ``use_pk`` is the partition of the seat's use (``GeneratedItem``), as written: a cancel
    finds it there whatever ``ORDER_USE_SHARDS`` says later. Items written before it have none.
    """

    vacancy_pk = UnicodeAttribute()
    vacancy_sk = UnicodeAttribute()
    order_id = UnicodeAttribute()
    use_pk = UnicodeAttribute(null=True)


class CanceledDateItem(MainItem, discriminator="canceled_date"):
    """``(<enrollment_id>, 'canceled_date')``: who canceled, when and why."""

    author = AuthorAttribute()
    reason = UnicodeAttribute()


class AuditEventItem(RecentActionItem, discriminator="audit"):
    """``(<enrollment_id>, 'audit#<iso time>#<n>')``: append-only history."""

    action = UnicodeAttribute()
    author = AuthorAttribute()
    reason = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)


class VacancyItem(MainItem, discriminator="vacancy"):
    """``('vacancies#<org_id>', '<order_id>#<uuid>')``: one free seat."""

    course_id = UnicodeAttribute()
    order_id = UnicodeAttribute()


class _CatalogItem(MainItem):
    """A company or a course: one partition lists them all, so the item's own id is its sort key.

    The stored hash key keeps its name ``id`` in the table; in Python it is ``partition``, so that
    ``item.id`` is the company's or course's id (the ``sk``), as an enrollment's ``id`` is its id.
    """

    # PynamoDB takes the hash key's Python name from the base (``MainItem.id``) unless the class resets it.
    _hash_keyname = None
    partition = UnicodeAttribute(hash_key=True, attr_name="id")

    @property
    def id(self) -> str:
        """Return the company's or course's id: the sort key of its item (``keys.company``, ``keys.course``)."""
        return self.sk


class CourseItem(_CatalogItem, discriminator="course"):
    """``('courses', <course_id>)``."""

    name = UnicodeAttribute()
    access_period_days = NumberAttribute()
    certificate_validity_days = NumberAttribute()
    # Grows by one at every edit: an edit is written only over the revision its form read (absent: never edited).
    revision = NumberAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # Present while the course is retired: it takes no new enrollments, its existing ones go on.
    retired_at = UnicodeAttribute(null=True)
    # Renewals open this many days before a certificate of the course expires; absent: RENEWAL_WINDOW_DEFAULT_DAYS
    # (``rules.renewal_window_days``).
    renewal_window_days = NumberAttribute(null=True)
    # The course's code in eSocial's table 28 (4 digits; 1006 for NR-10), for the client's payroll (S-2200, S-2206).
    esocial_code = UnicodeAttribute(null=True)


class CompanyItem(_CatalogItem, discriminator="company"):
    """``('companies', <company_id>)``."""

    name = UnicodeAttribute()
    cnpj = UnicodeAttribute(null=True)
    billing = UnicodeAttribute()
    # The language of its learners' emails, a code of LANGUAGES. Companies created before it have none:
    # theirs is the site's LANGUAGE_CODE (pt-br), see services.catalog.company_language.
    language = UnicodeAttribute(null=True)
    # Whether its people are enrolled again when their certificate's renewal window opens (absent: no), and in which
    # courses (absent or empty: every course): ``rules.auto_renews``.
    auto_renew = BooleanAttribute(null=True)
    auto_renew_courses = UnicodeSetAttribute(null=True)
    # Grows by one at every edit, as ``CourseItem.revision``.
    revision = NumberAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # How often its HR contacts get the compliance digest (``digests.periods``): weekly, monthly; absent: never.
    digest_period = UnicodeAttribute(null=True)
    # When ``digest_period`` was last set: a period whose sending time came before it gets no digest (turned on
    # on a Wednesday, the first weekly digest goes out the next Monday).
    digest_since = UnicodeAttribute(null=True)


class CompanyOrderItem(MainItem, discriminator="company_order"):
    """``('orders#<org_id>', '<created_at>#<order_id>')``: lists a company's orders."""

    order_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    seats = NumberAttribute()
    purchase_order = UnicodeAttribute(null=True)


class CatalogAuditEventItem(RecentActionItem, discriminator="catalog_audit"):
    """``('company#<id>' or 'course#<id>', 'audit#<iso time>#<n>')``: one change to a company or a course, its
    creation, or an order of seats for the company.

    ``changes`` lists ``[field, old, new]`` with the stored values (codes, digits; an order's course name and
    seats), empty for creation, retire and restore.
    """

    action = UnicodeAttribute()
    author = AuthorAttribute()
    changes = JSONAttribute(default=list)


class UserItem(MainItem, discriminator="user"):
    """``('user#<email>', '0')``: the email is the key, so one person is one item."""

    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    cpf = UnicodeAttribute(null=True)


class CpfOwnerItem(MainItem, discriminator="cpf_owner"):
    """``('cpf#<cpf>', '0')``: the one person a CPF belongs to; an enrollment with the CPF and another email is refused.

    Written (or checked) in every enrollment transaction that carries a CPF, so two emails cannot claim one CPF at once.
    """

    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()


class CnpjHolderItem(MainItem, discriminator="cnpj_holder"):
    """``('cnpj#<cnpj>', '0')``: the one company a CNPJ belongs to; a second company with the CNPJ is refused.

    Put in the transaction that creates a company with a CNPJ, and moved (old one deleted, new one put) in the
    one that edits it. Companies created before it have none until ``index_cnpjs`` writes it.
    """

    company_id = UnicodeAttribute()


class ActiveEnrollmentsItem(MainItem, discriminator="active_enrollments"):
    """``('active#<user_id>', <course_id>)``: the person's enrollments in the course that are still active.

    An enrollment adds its id in the transaction that writes it; completion, expiry and cancel delete it in
    theirs. Without a window, an enrollment requires the set to be absent (DynamoDB drops an empty set)
    unless staff confirmed "enroll again".
    """

    enrollment_ids = UnicodeSetAttribute(null=True)


class ChunkedJobItem(RecentActionItem):
    """What every chunked background job's item holds (an import, a bulk cancel, a renewal), for the one job
    mechanism (``enrollments/jobs/``): who started it, its state, its chunks done, the rows of the chunks still
    running, and when the task queue took it. Each kind adds its counters; the stored names are the first
    release's."""

    job_id = UnicodeAttribute()
    author = AuthorAttribute()
    state = UnicodeAttribute()
    chunks_total = NumberAttribute()
    chunks_done = NumberAttribute(default=0)
    # Rows done so far by each chunk still running, by chunk number (``jobs.services.ChunkProgress``): SET, never
    # added to, so a chunk run again after a crash replaces its count; removed when the chunk is recorded.
    chunks_in_flight = MapAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # When its chunks were handed to the task queue; absent while the queue did not take them (``jobs.services``).
    queued_at = UnicodeAttribute(null=True)


class ImportJobItem(ChunkedJobItem, discriminator="import_job"):
    """``('import#<job_id>', '0')``: one CSV import: who, when, company, file, counts and state.

    The counters grow with ``ADD`` in the transaction that records each chunk's
    results, so they always match the result items.
    """

    tenant_id = UnicodeAttribute()
    tenant_name = UnicodeAttribute()
    billing = UnicodeAttribute()
    file_name = UnicodeAttribute()
    file_hash = UnicodeAttribute()
    file_size = NumberAttribute()
    encoding = UnicodeAttribute()
    delimiter = UnicodeAttribute()
    default_course_id = UnicodeAttribute(null=True)
    window_days = NumberAttribute(null=True)
    # Snapshot of the courses the rows name, ``{id: [name, access_period_days, certificate_validity_days]}``:
    # workers enroll without reading the catalog again.
    courses = JSONAttribute()
    rows_total = NumberAttribute()
    chunk_rows = NumberAttribute()
    rows_done = NumberAttribute(default=0)
    enrolled = NumberAttribute(default=0)
    already_enrolled = NumberAttribute(default=0)
    already_active = NumberAttribute(default=0)
    no_vacancy_left = NumberAttribute(default=0)
    duplicates = NumberAttribute(default=0)
    invalid = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    started_at = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    # Whether its enrollments get the welcome email; absent (jobs started before the choice existed): they do.
    welcome = BooleanAttribute(null=True)
    # Whether rows of people with an active enrollment in the course are enrolled again; absent: they are not.
    enroll_again = BooleanAttribute(null=True)


class ImportChunkItem(MainItem, discriminator="import_chunk"):
    """``('import#<job_id>', 'chunk#<n>')``: the parsed rows of one chunk, as workers read them."""

    rows = CompressedJSONAttribute()


class ImportResultItem(MainItem, discriminator="import_result"):
    """``('import#<job_id>', 'result#<n>')``: the outcome of each row of chunk ``n``, written once."""

    rows = CompressedJSONAttribute()


class ImportListingItem(MainItem, discriminator="import_listing"):
    """``('imports', '<created_at>#<job_id>')``: lists imports, newest first."""

    job_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()


class ImportFileItem(MainItem, discriminator="import_file"):
    """``('import_files#<tenant_id>', <sha256>)``: the last import of a file for a company."""

    job_id = UnicodeAttribute()


class ActiveImportItem(MainItem, discriminator="import_active"):
    """``('imports#active', <job_id>)``: present while an import runs, so a sweep finds stalled ones without a Scan."""


class BulkCancelJobItem(ChunkedJobItem, discriminator="bulk_cancel_job"):
    """``('bulk_cancel#<job_id>', '0')``: one bulk cancel: who, why, of what, its counts and state.

    The counters grow with ``ADD`` in the transaction that records each chunk's
    results, so they always match the result items.
    """

    reason = UnicodeAttribute()
    notify_learner = BooleanAttribute()
    # The import whose enrollments are canceled; absent for enrollments selected on the list.
    import_id = UnicodeAttribute(null=True)
    total = NumberAttribute()
    done = NumberAttribute(default=0)
    canceled = NumberAttribute(default=0)
    refused = NumberAttribute(default=0)


class BulkCancelChunkItem(MainItem, discriminator="bulk_cancel_chunk"):
    """``('bulk_cancel#<job_id>', 'chunk#<n>')``: the enrollment ids of one chunk, as workers read them."""

    enrollment_ids = CompressedJSONAttribute()


class BulkCancelResultItem(MainItem, discriminator="bulk_cancel_result"):
    """``('bulk_cancel#<job_id>', 'result#<n>')``: ``[enrollment id, result, message]`` of each id of chunk ``n``."""

    rows = CompressedJSONAttribute()


class BulkCancelListingItem(MainItem, discriminator="bulk_cancel_listing"):
    """``('bulk_cancels', '<created_at>#<job_id>')``: lists bulk cancels, newest first."""

    job_id = UnicodeAttribute()


class ActiveBulkCancelItem(MainItem, discriminator="bulk_cancel_active"):
    """``('bulk_cancels#active', <job_id>)``: present while a bulk cancel runs, so a sweep finds stalled ones."""


class RenewalJobItem(ChunkedJobItem, discriminator="renewal_job"):
    """``('renewal#<job_id>', '0')``: one renewal from the compliance report: who, of which company (and course
    and bucket of the report, when one count's), its counts and state.

    The counters grow with ``ADD`` in the transaction that records each chunk's results, so they always match
    the result items.
    """

    tenant_id = UnicodeAttribute()
    tenant_name = UnicodeAttribute()
    # The report's count it was started from; both absent: every person of the company due for renewal.
    course_id = UnicodeAttribute(null=True)
    bucket = UnicodeAttribute(null=True)
    total = NumberAttribute()
    done = NumberAttribute(default=0)
    renewed = NumberAttribute(default=0)
    refused = NumberAttribute(default=0)


class RenewalChunkItem(MainItem, discriminator="renewal_chunk"):
    """``('renewal#<job_id>', 'chunk#<n>')``: the ids of the certificates (enrollments) one chunk renews."""

    certificate_ids = CompressedJSONAttribute()


class RenewalResultItem(MainItem, discriminator="renewal_result"):
    """``('renewal#<job_id>', 'result#<n>')``: per certificate of chunk ``n``, ``[certificate id, name, cpf, course
    name, certificate expiry, result, enrollment id, message]``; result ``renewed`` (the enrollment is the renewal),
    a refusal of ``rules.RENEWAL_REFUSALS`` (the enrollment in the way, if any) or ``failed`` (the message says
    why)."""

    rows = CompressedJSONAttribute()


class RenewalListingItem(MainItem, discriminator="renewal_listing"):
    """``('renewals', '<created_at>#<job_id>')``: lists renewals, newest first."""

    job_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()


class ActiveRenewalItem(MainItem, discriminator="renewal_active"):
    """``('renewals#active', <job_id>)``: present while a renewal runs, so a sweep finds stalled ones."""


class RenewalPendingItem(MainItem, discriminator="renewal_pending"):
    """``('renewals_pending#<tenant_id>', '<course_id>#<renewed enrollment id>')``: a person the automatic renewal
    could not enroll again for want of a seat, since ``created_at``; deleted by the transaction that renews them
    (``services.enroll`` with ``renews``), whoever renews them."""

    tenant_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    course_name = UnicodeAttribute()
    # The certificate (enrollment) to renew, and what the page shows of it.
    renewed_id = UnicodeAttribute()
    user = PersonAttribute()
    certificate_expires_at = UnicodeAttribute()


class ExportJobItem(MainItem, discriminator="export_job"):
    """``('export#<job_id>', '0')``: one export written in the background: of what, by whom, its progress and file.

    ``params`` holds what the rows are read with (the list's filters, or a report's company,
    course and bucket); the file lives in the ``exports`` storage under ``file_name``.
    """

    job_id = UnicodeAttribute()
    author = AuthorAttribute()
    source = UnicodeAttribute()
    params = JSONAttribute()
    format = UnicodeAttribute()
    language = UnicodeAttribute()
    state = UnicodeAttribute()
    total = NumberAttribute()
    rows_done = NumberAttribute(default=0)
    file_name = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    # When it was handed to the task queue; absent while the queue did not take it (``services.jobs``).
    queued_at = UnicodeAttribute(null=True)


class ExportListingItem(MainItem, discriminator="export_listing"):
    """``('exports', '<created_at>#<job_id>')``: lists exports; the retention sweep deletes the old ones' files."""

    job_id = UnicodeAttribute()


class HrContactItem(MainItem, discriminator="hr_contact"):
    """``('contacts#<company_id>', <contact_id>)``: a person of the company's HR who may receive its compliance digest.

    Never a user of the back office: the digest carries no link into it.
    """

    company_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    # A code of LANGUAGES; absent: the company's language.
    language = UnicodeAttribute(null=True)
    receives_digest = BooleanAttribute()
    # Grows by one at every edit, as the company's: an edit is written only over the revision its form read.
    revision = NumberAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class HrContactRosterItem(MainItem, discriminator="hr_contact_roster"):
    """``('contacts#<company_id>', '~roster')``: the version of a company's set of HR contacts.

    Every add and edit puts it one revision up over the revision read before checking the others (one email per
    contact, at most ``MAX_CONTACTS``), so two changes checked against the same contacts cannot both be written.
    Absent (contacts added before it existed): revision 0.
    """

    revision = NumberAttribute()


class DigestItem(MainItem, discriminator="digest"):
    """``('digest#<company_id>', <period>)``: the compliance digest of one company and period, put once.

    Claimed, sent and marked as a lifecycle record is (``digests.services``): ``attempts`` counts claims and is the
    fencing token; ``due_at`` moves to a claim's lease end or a retry's time. ``sent_to`` holds the addresses
    already sent to, so a retry after a partial send sends each contact the digest once.
    """

    company_id = UnicodeAttribute()
    period = UnicodeAttribute()
    # ``weekly``, ``monthly`` or ``now`` (asked for on the company's page).
    cadence = UnicodeAttribute()
    state = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    attempts_before_resend = NumberAttribute(default=0)
    due_at = UnicodeAttribute()
    lease_expires_at = UnicodeAttribute(null=True)
    sent_to = UnicodeSetAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    skip_reason = UnicodeAttribute(null=True)
    # Who asked for it: a staff member for ``now`` and a resend; absent for the scheduler's.
    author = AuthorAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class ActiveDigestItem(MainItem, discriminator="digest_active"):
    """``('digests#active', '<company_id>#<period>')``: present while the digest is not done, so the digest tick
    finds the digests to send without a Scan; deleted in the transaction that marks it SENT, SKIPPED or FAILED."""


class DigestFailureItem(MainItem, discriminator="digest_failure"):
    """``('digest_failures', '<failed_at>#<company_id>#<period>')``: a digest that gave up, listed beside the failed
    lifecycle emails; sending it again deletes it, in the transaction that makes the digest PENDING again."""

    company_id = UnicodeAttribute()
    period = UnicodeAttribute()
    attempts = NumberAttribute()
    last_error = UnicodeAttribute()
    # The contacts it reached before it gave up: sending it again sends only to the others.
    sent_to = UnicodeSetAttribute(null=True)


class ApiKeyItem(MainItem, discriminator="api_key"):
    """``('api_keys', <key_id>)``: an API key of one company's HR system; the secret is stored only as its SHA-256."""

    company_id = UnicodeAttribute()
    name = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    author = AuthorAttribute()
    revoked_at = UnicodeAttribute(null=True)
    # Written at most once a minute (``client_api.auth``): a busy key costs no write per request.
    last_used_at = UnicodeAttribute(null=True)


class CompanyApiKeyItem(MainItem, discriminator="company_api_key"):
    """``('api_keys#<company_id>', <key_id>)``: lists a company's keys; the page reads each key's item for the rest."""

    key_id = UnicodeAttribute()


class IdempotentRequestItem(MainItem, discriminator="idempotent_request"):
    """``('idempotency#<company_id>', sha256(<Idempotency-Key>))``: the first answer to a key, replayed for 24 hours.

    Put before the work as ``in_progress`` (the claim), then given its answer; ``ttl`` lets DynamoDB remove it.
    """

    request_hash = UnicodeAttribute()
    state = UnicodeAttribute()
    status = NumberAttribute(null=True)
    body = JSONAttribute(null=True)
    expires_at = UnicodeAttribute()
    ttl = NumberAttribute()


class WebhookEndpointItem(MainItem, discriminator="webhook_endpoint"):
    """``('webhooks', <company_id>)``: the HTTPS endpoint a company's HR system receives its enrollments' events at.

    ``secret`` signs every delivery (HMAC-SHA256); it is shown to supervisors, so it is stored as it is.
    """

    url = UnicodeAttribute()
    secret = UnicodeAttribute()
    # The event types it receives (``services.enrollment_events.EVENT_TYPES``).
    events = UnicodeSetAttribute()
    active = BooleanAttribute()
    author = AuthorAttribute()
    updated_at = UnicodeAttribute(null=True)
    # Grows by one at every change: an edit is written only over the revision its form read.
    revision = NumberAttribute(default=1)


class WebhookDueIndex(GlobalSecondaryIndex):
    """Webhook events still to deliver, by ``webhooks_due#<shard>`` and the time of their next attempt."""

    class Meta:
        index_name = "webhook_due"
        # Keys, plus the discriminator PynamoDB filters on.
        projection = IncludeProjection(["kind"])

    webhook_due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class WebhookEventItem(MainItem, discriminator="webhook_event"):
    """``('webhook_events#<company_id>', '<occurred_at>#<event_id>')``: one event of a company's enrollment for its
    webhook endpoint, put in the transaction of the change it tells, then delivered until the endpoint takes it.

    Claimed, posted and marked as a lifecycle record is (``services.claims``): ``attempts`` counts claims and is the
    fencing token; ``due_at`` is the next attempt. ``data`` is the body's ``data``, written once with the change.
    """

    company_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    data = JSONAttribute()
    # PENDING, SENDING, SENT (delivered) or FAILED (``rules.RECORD_*``).
    state = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    attempts_before_resend = NumberAttribute(default=0)
    due_at = UnicodeAttribute()
    lease_expires_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    # The endpoint's last answer: an HTTP status, or an error without one (timeout, refused connection).
    last_status = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    # Present only while it is to be delivered: this keeps the ``webhook_due`` index sparse.
    webhook_due_shard = UnicodeAttribute(null=True)
    webhook_due = WebhookDueIndex()


class OrdersMeta:
    table_name = "orders"
    billing_mode = "PAY_PER_REQUEST"
    max_pool_connections = 64


class OrderTableItem(Model):
    """Any item of the orders table."""

    Meta = OrdersMeta

    order_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    created_at = UnicodeAttribute(null=True)


class OrderItem(OrderTableItem, discriminator="order"):
    """``(<order_id>, '0')``: N seats of a course bought by a company."""

    tenant_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    seats = NumberAttribute()
    created_by = AuthorAttribute()
    # The company's purchase-order reference, optional, as staff typed it.
    purchase_order = UnicodeAttribute(null=True)


class GeneratedItem(OrderTableItem, discriminator="generated_item"):
    """``(<order_id>, 'generated_items#<enrollment_id>')``: a seat's use, USED or ROLLBACK."""

    enrollment_id = UnicodeAttribute()
    status = UnicodeAttribute()
    vacancy_sk = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
