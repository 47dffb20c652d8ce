"""Renewals: enroll one person again to renew a certificate (``renewal_enroll``, the one way any renewal is made),
and the renewal job from the compliance report: start it over the people a preview shows, and the kind's chunk work
(the jobs mechanism queues, records, finishes and resumes the chunks: ``jobs.services``).

The renewal's id is fixed by the certificate's (``rules.renewal_enrollment_id``): two jobs, two workers, a retried
chunk or the automatic renewal all write the same enrollment, and every write after the first finds it
(``EnrollmentAlreadyExists``), so a certificate is renewed once. The job id is the confirmation form's token: a
second submit of the same form finds the first job.
"""

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.utils.translation import gettext as _

from .. import clock, rules, selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import EnrollmentItem, RenewalChunkItem, RenewalJobItem, RenewalListingItem
from ..exceptions import (
    ActiveEnrollmentExists,
    ConcurrentChange,
    DeduplicationConflict,
    EnrollmentAlreadyExists,
    EnrollmentError,
    InvalidEnrollmentData,
    NoVacancyLeft,
    RenewalRefused,
    StorageUnavailable,
)
from ..jobs.kinds import kind_named
from ..jobs.services import Enqueue, job_create, job_enqueue, job_new, job_refuse_started
from ..services import enroll
from ..services.common import Author
from . import selectors as renewal_selectors
from .selectors import FAILED, KIND_NAME, RENEWED, renewal_source

TRANSIENT_ERRORS = (StorageUnavailable, ConcurrentChange)
CHUNK_SIZE = 25


@storage_errors_as_domain_errors
def renewal_enroll(*, renewed: EnrollmentItem, author: Author, source: str) -> EnrollmentItem:
    """Enroll the person of the certificate ``renewed`` again in its course, at its company, to renew it; return
    the new enrollment (it ``renews`` the certificate; its welcome email is worded for a renewal).

    Raise ``RenewalRefused`` with the reason of ``rules.RENEWAL_REFUSALS`` when the person cannot be renewed now:
    not due (outside the course's renewal window), already renewed (this certificate's renewal exists, even
    canceled, or a later certificate), a retired course, an active enrollment in the course, a deduplication lock,
    no seat left (a prepaid company). The renewal is one ``enroll`` transaction: seat, audit event and welcome included.
    """
    course = selectors.course_get(renewed.course.id)
    later = renewal_selectors.later_enrollments(renewed)
    refusal = rules.renewal_refusal(
        renewed,
        now=clock.now(),
        window_days=rules.renewal_window_days(course),
        later=later,
        retired=bool(course.retired_at),
    )
    if refusal is not None:
        blocking = renewal_selectors.blocking_id(renewed, later, refusal)
        raise RenewalRefused(refusal, renewed_id=renewed.id, enrollment_id=blocking)
    renewal_id = rules.renewal_enrollment_id(renewed.id)
    try:
        return enroll(
            tenant_id=renewed.tenant_id,
            course_id=course.id,
            user=rules.Person(name=renewed.user.name, email=renewed.user.email, cpf=renewed.user.cpf),
            author=author,
            source=source,
            enrollment_id=renewal_id,
            renews=renewed.id,
        )
    except EnrollmentAlreadyExists:
        raise RenewalRefused(rules.ALREADY_RENEWED, renewed_id=renewed.id, enrollment_id=renewal_id) from None
    except NoVacancyLeft:
        # No seat is taken before the write: another renewal of this certificate (a second job, a worker) may have
        # taken the last one, and that renewal is why this one cannot be.
        if renewal_selectors.renewal_exists(renewed.id):
            raise RenewalRefused(rules.ALREADY_RENEWED, renewed_id=renewed.id, enrollment_id=renewal_id) from None
        raise RenewalRefused(rules.NO_SEAT, renewed_id=renewed.id) from None
    except ActiveEnrollmentExists as error:
        raise RenewalRefused(
            rules.ACTIVE_ENROLLMENT, renewed_id=renewed.id, enrollment_id=error.enrollment_id
        ) from None
    except DeduplicationConflict as error:
        raise RenewalRefused(rules.DEDUPLICATION, renewed_id=renewed.id, enrollment_id=error.enrollment_id) from None


@storage_errors_as_domain_errors
def renewal_start(
    *,
    job_id: str,
    tenant_id: str,
    author: Author,
    enqueue: Enqueue,
    course_id: str | None = None,
    bucket: str | None = None,
    now: datetime | None = None,
) -> RenewalJobItem:
    """Start a renewal of a company's people, as its preview at ``now`` shows them (one count of the report with
    ``course_id`` and ``bucket``, else every person due), queue its chunks with ``enqueue``; return the job.

    The job goes through the renewable people first (soonest expiry first: the seats go to them), then those the
    preview refused for a reason that may have passed (each gets a result). ``job_id`` (the form's token) makes a
    second start of the same form raise ``RenewalAlreadyStarted``. When the queue does not answer, the job waits,
    stored without ``queued_at``, for the next sweep.
    """
    kind = kind_named(KIND_NAME)
    job_refuse_started(kind, job_id)
    company = selectors.company_get(tenant_id)
    if bucket is not None and bucket not in renewal_selectors.RENEWAL_BUCKETS:
        raise InvalidEnrollmentData(_("A renewal starts from an expiring or expired count."), field="bucket")
    preview = renewal_selectors.renewal_preview(
        company=company, now=now or clock.now(), course_id=course_id, bucket=bucket
    )
    ids = preview.job_certificate_ids()
    if not ids:
        raise InvalidEnrollmentData(_("Nobody here is due for renewal."))
    chunks = [ids[start : start + CHUNK_SIZE] for start in range(0, len(ids), CHUNK_SIZE)]
    now_iso = clock.now_iso()
    # The chunks first: the job, once it exists, always finds them. A second start of the same token writes the
    # same chunks again and then fails on the job's condition.
    with RenewalChunkItem.batch_write() as batch:
        for number, chunk in enumerate(chunks):
            batch.save(RenewalChunkItem(*keys.renewal_chunk(job_id, number), created_at=now_iso, certificate_ids=chunk))
    job = job_new(
        kind,
        job_id,
        author=author,
        tenant_id=company.id,
        tenant_name=company.name,
        course_id=course_id,
        bucket=bucket,
        total=len(ids),
        chunks_total=len(chunks),
    )
    listing = RenewalListingItem(
        *keys.renewal_listing(created_at=now_iso, job_id=job_id),
        created_at=now_iso,
        job_id=job_id,
        tenant_id=company.id,
    )
    job_create(kind, job, listing)
    return job_enqueue(kind, job=job, enqueue=enqueue)


def renewal_chunk_results(
    job: RenewalJobItem,
    chunk: RenewalChunkItem,
    *,
    final_attempt: bool,
    progress: Callable[[int], None] | None = None,
):
    """Renew the certificates of ``chunk`` (``renewal_enroll`` each) and return the row of each and the job counters
    they add to (the renewal kind's chunk work); ``progress(1)`` after each.

    A row is ``[certificate id, name, cpf, course name, certificate expiry, result, enrollment id, message]``.
    Before the final attempt a transient error raises, so the task retries the chunk (the renewals its first run
    made then count as this job's: their source names it); on the final attempt it is reported as failed.
    """
    author = Author(id=job.author.id, name=job.author.name, email=job.author.email)
    source = renewal_source(job.job_id)
    certificates = renewal_selectors.certificates_by_id(chunk.certificate_ids)
    rows, counts = [], Counter()
    for certificate_id in chunk.certificate_ids:
        certificate = certificates.get(certificate_id)
        result, enrollment_id, message = _renew_one(certificate, certificate_id, job, author, source, final_attempt)
        counts[RENEWED if result == RENEWED else "refused"] += 1
        rows.append([certificate_id, *_person(certificate), result, enrollment_id, message])
        if progress is not None:
            progress(1)
    return rows, counts


def _renew_one(certificate, certificate_id: str, job, author: Author, source: str, final_attempt: bool) -> tuple:
    if certificate is None:
        return FAILED, None, _("There is no enrollment %(id)s.") % {"id": certificate_id}
    try:
        renewal = renewal_enroll(renewed=certificate, author=author, source=source)
    except RenewalRefused as error:
        # A retried chunk finds the renewals its first run made: those are this job's.
        if error.reason == rules.ALREADY_RENEWED and (
            mine := renewal_selectors.renewed_by_job(certificate_id, job.job_id)
        ):
            return RENEWED, mine, ""
        return error.reason, error.enrollment_id, ""
    except TRANSIENT_ERRORS as error:
        if not final_attempt:
            raise
        return FAILED, None, error.message
    except EnrollmentError as error:
        return FAILED, None, error.message
    return RENEWED, renewal.id, ""


def _person(certificate) -> list:
    if certificate is None:
        return ["", "", "", ""]
    return [
        certificate.user.name,
        certificate.user.cpf or "",
        certificate.course.name,
        certificate.certificate_expires_at or "",
    ]
